import type { Attrs } from '../../backend/attrs';
import type { FsStat } from '../../backend/backend';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { writeU64Number } from '../xdr/uint64';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.18 FSSTAT: dynamic file system figures.
 * args: any handle in the file system.
 * ok:   its post_op_attr; total, free and available bytes; total, free and available file
 *       slots; invarsec 0 (the figures change at any moment, so clients should not cache them).
 * fail: post_op_attr.
 */
export interface Fsstat3Args {
  readonly fsroot: Buffer;
}

export interface Fsstat3Ok {
  readonly attrs: Attrs;
  readonly stat: FsStat;
}

export const fsstat3: Nfs3ProcedureSpec<Fsstat3Args, Fsstat3Ok, Attrs | undefined> = {
  name: 'FSSTAT',
  modifies: false,
  decode: (r) => ({ fsroot: decodeNfsFh3(r) }),
  target: (a) => a.fsroot,
  run: async (_a, call, ino) => {
    const [attrs, stat] = await Promise.all([call.backend.getattr(ino), call.backend.statfs(ino)]);
    return { attrs, stat };
  },
  encodeOk: (w, { attrs, stat }) => {
    encodePostOpAttr(w, attrs);
    writeU64Number(w, stat.totalBytes);
    writeU64Number(w, stat.freeBytes);
    writeU64Number(w, stat.availBytes);
    writeU64Number(w, stat.totalFiles);
    writeU64Number(w, stat.freeFiles);
    writeU64Number(w, stat.availFiles);
    w.u32(0);
  },
  fail: (a, call) => call.attrsOf(a.fsroot),
  encodeFail: encodePostOpAttr,
};
