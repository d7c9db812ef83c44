import type { Attrs, Wcc } from '../../backend/attrs';
import type { XdrWriter } from '../../rpc/types';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr, encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.15 LINK (a hard link), into any directory of the same export (another export
 * is NFS3ERR_XDEV).
 * args: the existing file's handle, then where the new name goes (diropargs3).
 * ok:   the file's post_op_attr (nlink went up), the target directory's wcc_data.
 * fail: the same two.
 */
export interface Link3Args {
  readonly file: Buffer;
  readonly link: Diropargs3;
}

export interface Link3Res {
  readonly attrs: Attrs | undefined;
  readonly dirWcc: Wcc;
}

function encodeLink3Res(w: XdrWriter, res: Link3Res): void {
  encodePostOpAttr(w, res.attrs);
  encodeWccData(w, res.dirWcc);
}

export const link3: Nfs3ProcedureSpec<Link3Args, Link3Res, Link3Res> = {
  name: 'LINK',
  modifies: true,
  decode: (r) => {
    const file = decodeNfsFh3(r);
    const link = decodeDiropargs3(r);
    return { file, link };
  },
  target: (a) => a.file,
  run: async (a, call, file) => {
    const dir = await call.resolve(a.link.dir);
    checkName(a.link.name);
    const res = await call.backend.link(file, dir, a.link.name, call.cred);
    return { attrs: res.attrs, dirWcc: res.dir };
  },
  encodeOk: encodeLink3Res,
  fail: async (a, call) => {
    const [attrs, dirWcc] = await Promise.all([call.attrsOf(a.file), call.wccOf(a.link.dir)]);
    return { attrs, dirWcc };
  },
  encodeFail: encodeLink3Res,
};
