import type { XdrReader, XdrWriter } from '../../rpc/types';
import { NAME_WIRE_MAX } from '../nfs3-limits';
import { decodeNfsFh3 } from './nfs-fh3';

/** RFC 1813 §3.3.3 diropargs3: a directory handle and a filename3 in it. */
export interface Diropargs3 {
  readonly dir: Buffer;
  readonly name: string;
}

/**
 * Names up to NAME_WIRE_MAX bytes decode, so that one past NAME_MAX gets NFS3ERR_NAMETOOLONG
 * from `checkName` (RFC 1813 §3.3.8 and friends) instead of GARBAGE_ARGS.
 */
export function decodeDiropargs3(r: XdrReader): Diropargs3 {
  const dir = decodeNfsFh3(r);
  const name = r.string(NAME_WIRE_MAX);
  return { dir, name };
}

export function encodeDiropargs3(w: XdrWriter, d: { dir: Uint8Array; name: string }): void {
  w.opaque(d.dir).string(d.name);
}
