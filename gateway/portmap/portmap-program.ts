/**
 * PORTMAP v2 (RFC 1833 §3, program 100000) served on the same port as everything else, so a
 * client that asks the portmapper first (rpcinfo, mount helpers) finds our programs. CALLIT (5)
 * is left out: it forwards calls over UDP, which we do not serve; it answers PROC_UNAVAIL.
 */
import type { Procedure, RpcProgram } from '../rpc/types';
import type { PortmapHost } from './portmap-host';
import { createDump } from './procedures/dump';
import { createGetport } from './procedures/getport';
import { pmapNull } from './procedures/null';
import { pmapSet } from './procedures/set';
import { pmapUnset } from './procedures/unset';

export const PMAP_PROG = 100000;
export const PMAP_VERS = 2;

/** RFC 1833 §3.2: procedure numbers. */
export enum PmapProc {
  PMAPPROC_NULL = 0,
  PMAPPROC_SET = 1,
  PMAPPROC_UNSET = 2,
  PMAPPROC_GETPORT = 3,
  PMAPPROC_DUMP = 4,
  PMAPPROC_CALLIT = 5,
}

/** The PORTMAP program answering for `host` (usually the RpcServer it is registered on). */
export function createPortmapProgram(host: PortmapHost): RpcProgram {
  const procedures: Procedure[] = [pmapNull, pmapSet, pmapUnset, createGetport(host), createDump(host)];
  return { prog: PMAP_PROG, name: 'PORTMAP', versions: new Map([[PMAP_VERS, procedures]]) };
}
