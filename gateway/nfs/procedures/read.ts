import type { Attrs } from '../../backend/attrs';
import { RTMAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.6 READ.
 * args: the file, an offset (uint64) and a count; we clamp count to RTMAX (FSINFO rtmax), which
 *       §3.3.6 allows ("may return less data than requested").
 * ok:   post_op_attr, the count actually read, eof, the data.
 * fail: post_op_attr. A directory is NFS3ERR_ISDIR (the backend's EISDIR).
 */
export interface Read3Args {
  readonly file: Buffer;
  readonly offset: bigint;
  readonly count: number;
}

export interface Read3Ok {
  readonly attrs: Attrs;
  readonly eof: boolean;
  readonly data: Buffer;
}

const EMPTY = Buffer.alloc(0);

export const read3: Nfs3ProcedureSpec<Read3Args, Read3Ok, Attrs | undefined> = {
  name: 'READ',
  modifies: false,
  decode: (r) => {
    const file = decodeNfsFh3(r);
    const offset = r.u64();
    const count = r.u32();
    return { file, offset, count };
  },
  target: (a) => a.file,
  run: async (a, call, ino) => {
    if (a.offset > BigInt(Number.MAX_SAFE_INTEGER)) {
      // No file of ours reaches 2^53: this is past the end of any of them.
      const attrs = await call.backend.getattr(ino);
      return { attrs, eof: true, data: EMPTY };
    }
    return call.backend.read(ino, Number(a.offset), Math.min(a.count, RTMAX), call.cred);
  },
  encodeOk: (w, res) => {
    encodePostOpAttr(w, res.attrs);
    w.u32(res.data.length).bool(res.eof).opaque(res.data);
  },
  fail: (a, call) => call.attrsOf(a.file),
  encodeFail: encodePostOpAttr,
};
