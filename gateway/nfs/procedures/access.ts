import type { Attrs } from '../../backend/attrs';
import { ACCESS3_DELETE, ACCESS3_EXTEND, ACCESS3_MODIFY } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.4 ACCESS.
 * args: the object and a bit mask of ACCESS3_* rights the client asks about.
 * ok:   the object's post_op_attr and the subset of the asked bits the caller holds.
 * fail: the object's post_op_attr.
 * On a read-only export MODIFY, EXTEND and DELETE are never granted, so a client does not
 * offer a write it would only see fail with NFS3ERR_ROFS.
 */
export interface Access3Args {
  readonly object: Buffer;
  readonly access: number;
}

export interface Access3Ok {
  readonly attrs: Attrs;
  readonly access: number;
}

const WRITE_BITS = ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;

export const access3: Nfs3ProcedureSpec<Access3Args, Access3Ok, Attrs | undefined> = {
  name: 'ACCESS',
  modifies: false,
  decode: (r) => {
    const object = decodeNfsFh3(r);
    const access = r.u32();
    return { object, access };
  },
  target: (a) => a.object,
  run: async (a, call, ino) => {
    const { granted, attrs } = await call.backend.access(ino, call.cred, a.access);
    const mask = call.exp.config.readOnly ? a.access & ~WRITE_BITS : a.access;
    return { attrs, access: granted & mask };
  },
  encodeOk: (w, res) => {
    encodePostOpAttr(w, res.attrs);
    w.u32(res.access >>> 0);
  },
  fail: (a, call) => call.attrsOf(a.object),
  encodeFail: encodePostOpAttr,
};
