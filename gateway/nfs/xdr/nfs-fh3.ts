import type { XdrReader, XdrWriter } from '../../rpc/types';
import { NFS3_FHSIZE } from '../nfs3-limits';

/**
 * RFC 1813 §2.5 nfs_fh3: opaque<NFS3_FHSIZE>. A longer one is undecodable (GARBAGE_ARGS); a
 * well-formed one we did not issue is NFS3ERR_BADHANDLE later, when it is resolved.
 */
export function decodeNfsFh3(r: XdrReader): Buffer {
  return r.opaque(NFS3_FHSIZE);
}

export function encodeNfsFh3(w: XdrWriter, fh: Uint8Array): void {
  w.opaque(fh);
}

/** RFC 1813 §3.3.8 post_op_fh3: an optional handle. */
export function encodePostOpFh3(w: XdrWriter, fh: Uint8Array | undefined): void {
  if (fh === undefined) {
    w.bool(false);
    return;
  }
  w.bool(true);
  w.opaque(fh);
}

export function decodePostOpFh3(r: XdrReader): Buffer | undefined {
  return r.optional(decodeNfsFh3);
}
