/**
 * RFC 1833 §3.1: the PORTMAP v2 mapping, `struct mapping { unsigned int prog; unsigned int vers;
 * unsigned int prot; unsigned int port; }`, shared by SET, UNSET, GETPORT and DUMP.
 */
import type { XdrReader, XdrWriter } from '../rpc/types';

/** RFC 1833 §3.1: protocol numbers of a mapping. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface Mapping {
  readonly prog: number;
  readonly vers: number;
  readonly prot: number;
  readonly port: number;
}

export function readMapping(r: XdrReader): Mapping {
  return { prog: r.u32(), vers: r.u32(), prot: r.u32(), port: r.u32() };
}

export function writeMapping(w: XdrWriter, m: Mapping): void {
  w.u32(m.prog).u32(m.vers).u32(m.prot).u32(m.port);
}
