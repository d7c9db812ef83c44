import type { Attrs } from '../../backend/attrs';
import type { DirEntry } from '../../backend/backend';
import { NFS3_VERFSIZE, RTMAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { FATTR3_SIZE } from '../xdr/fattr3';
import { decodeNfsFh3, encodePostOpFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';
import { type Budget, type Listing, listDirectory, xdrSized } from './dir-listing';
import { encodeCookieverf, READDIR_FIXED } from './readdir';

/**
 * RFC 1813 §3.3.17 READDIRPLUS: READDIR plus each entry's attributes and handle.
 * args: the directory, cookie, cookieverf, dircount (the most bytes of fileid + name + cookie)
 *       and maxcount (the most bytes the whole READDIRPLUS3resok may take).
 * ok:   the directory's post_op_attr, cookieverf, entries (fileid, name, cookie, post_op_attr,
 *       post_op_fh3), eof. Both budgets are honoured; not one entry fitting is NFS3ERR_TOOSMALL.
 *       ".." carries neither attributes nor handle: at the export root it would name an
 *       object outside the export.
 * fail: the directory's post_op_attr. A stale verifier is NFS3ERR_BAD_COOKIE.
 */
export interface Readdirplus3Args {
  readonly dir: Buffer;
  readonly cookie: bigint;
  readonly cookieverf: Buffer;
  readonly dircount: number;
  readonly maxcount: number;
}

export interface Readdirplus3Ok extends Listing {
  /** Handles of the entries that carry one, computed once while budgeting. */
  readonly handles: ReadonlyMap<DirEntry, Buffer>;
}

export const readdirplus3: Nfs3ProcedureSpec<Readdirplus3Args, Readdirplus3Ok, Attrs | undefined> = {
  name: 'READDIRPLUS',
  modifies: false,
  decode: (r) => {
    const dir = decodeNfsFh3(r);
    const cookie = r.u64();
    const cookieverf = r.fixedOpaque(NFS3_VERFSIZE);
    const dircount = r.u32();
    const maxcount = r.u32();
    return { dir, cookie, cookieverf, dircount, maxcount };
  },
  target: (a) => a.dir,
  run: async (a, call, dir) => {
    const handles = new Map<DirEntry, Buffer>();
    const budget: Budget = {
      maxBytes: Math.min(a.maxcount, RTMAX),
      dirBytes: a.dircount,
      fixed: READDIR_FIXED,
      cost: (e, nameBytes) => {
        let reply = 4 + 8 + xdrSized(nameBytes) + 8 + 4 + 4;
        if (e.name !== '..') {
          const fh = call.handleOf(e.fileid);
          handles.set(e, fh);
          reply += xdrSized(fh.length);
          if (e.attrs !== undefined) reply += FATTR3_SIZE;
        }
        return { reply, dir: 8 + xdrSized(nameBytes) + 8 };
      },
      typicalEntry: 200,
    };
    const listing = await listDirectory(call, dir, a.cookie, a.cookieverf, true, budget);
    return { ...listing, handles };
  },
  encodeOk: (w, res) => {
    encodePostOpAttr(w, res.dirAttrs);
    encodeCookieverf(w, res.verifier);
    for (const e of res.entries) {
      w.bool(true).u64(e.fileid).string(e.name).u64(e.cookie);
      const fh = res.handles.get(e);
      encodePostOpAttr(w, fh === undefined ? undefined : e.attrs);
      encodePostOpFh3(w, fh);
    }
    w.bool(false).bool(res.eof);
  },
  fail: (a, call) => call.attrsOf(a.dir),
  encodeFail: encodePostOpAttr,
};
