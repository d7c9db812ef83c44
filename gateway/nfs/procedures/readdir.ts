import type { Attrs } from '../../backend/attrs';
import type { XdrWriter } from '../../rpc/types';
import { NFS3_VERFSIZE, RTMAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { FATTR3_SIZE } from '../xdr/fattr3';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';
import { type Budget, type Listing, listDirectory, xdrSized } from './dir-listing';

/**
 * RFC 1813 §3.3.16 READDIR.
 * args: the directory, a cookie (0 = from the start), the cookieverf from the reply that gave
 *       that cookie, and count: the most bytes the whole READDIR3resok may take.
 * ok:   the directory's post_op_attr, the cookieverf, entries (fileid, name, cookie) and eof.
 *       The reply never exceeds count; if not one entry fits, NFS3ERR_TOOSMALL.
 * fail: the directory's post_op_attr. A stale verifier is NFS3ERR_BAD_COOKIE.
 */
export interface Readdir3Args {
  readonly dir: Buffer;
  readonly cookie: bigint;
  readonly cookieverf: Buffer;
  readonly count: number;
}

/** status + post_op_attr + cookieverf + end of list + eof. */
export const READDIR_FIXED = 4 + 4 + FATTR3_SIZE + NFS3_VERFSIZE + 4 + 4;

export function encodeCookieverf(w: XdrWriter, verifier: bigint): void {
  w.u32(Number(verifier >> 32n)).u32(Number(verifier & 0xffff_ffffn));
}

export const readdir3: Nfs3ProcedureSpec<Readdir3Args, Listing, Attrs | undefined> = {
  name: 'READDIR',
  modifies: false,
  decode: (r) => {
    const dir = decodeNfsFh3(r);
    const cookie = r.u64();
    const cookieverf = r.fixedOpaque(NFS3_VERFSIZE);
    const count = r.u32();
    return { dir, cookie, cookieverf, count };
  },
  target: (a) => a.dir,
  run: (a, call, dir) => {
    const budget: Budget = {
      // A count past what we would ever send is as good as RTMAX (the server may send less).
      maxBytes: Math.min(a.count, RTMAX),
      fixed: READDIR_FIXED,
      // value-follows + fileid + name + cookie
      cost: (_e, nameBytes) => ({ reply: 4 + 8 + xdrSized(nameBytes) + 8, dir: 0 }),
      typicalEntry: 40,
    };
    return listDirectory(call, dir, a.cookie, a.cookieverf, false, budget);
  },
  encodeOk: (w, res) => {
    encodePostOpAttr(w, res.dirAttrs);
    encodeCookieverf(w, res.verifier);
    for (const e of res.entries) {
      w.bool(true).u64(e.fileid).string(e.name).u64(e.cookie);
    }
    w.bool(false).bool(res.eof);
  },
  fail: (a, call) => call.attrsOf(a.dir),
  encodeFail: encodePostOpAttr,
};
