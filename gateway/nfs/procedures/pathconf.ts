import type { Attrs } from '../../backend/attrs';
import { LINK_MAX, NAME_MAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.20 PATHCONF: POSIX pathconf figures.
 * args: a handle.
 * ok:   post_op_attr, linkmax, name_max (255), no_trunc (true: long names are refused with
 *       NAMETOOLONG, never cut), chown_restricted (true), case_insensitive (false),
 *       case_preserving (true).
 * fail: post_op_attr.
 */
export interface Pathconf3Args {
  readonly object: Buffer;
}

export const pathconf3: Nfs3ProcedureSpec<Pathconf3Args, Attrs, Attrs | undefined> = {
  name: 'PATHCONF',
  modifies: false,
  decode: (r) => ({ object: decodeNfsFh3(r) }),
  target: (a) => a.object,
  run: (_a, call, ino) => call.backend.getattr(ino),
  encodeOk: (w, attrs) => {
    encodePostOpAttr(w, attrs);
    w.u32(LINK_MAX).u32(NAME_MAX);
    w.bool(true).bool(true).bool(false).bool(true);
  },
  fail: (a, call) => call.attrsOf(a.object),
  encodeFail: encodePostOpAttr,
};
