import type { Attrs } from '../../backend/attrs';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.5 READLINK.
 * args: the symbolic link's handle.
 * ok:   its post_op_attr and the target (nfspath3), as stored.
 * fail: its post_op_attr. Not a symlink is NFS3ERR_INVAL (the backend's EINVAL).
 */
export interface Readlink3Args {
  readonly symlink: Buffer;
}

export interface Readlink3Ok {
  readonly attrs: Attrs;
  readonly target: string;
}

export const readlink3: Nfs3ProcedureSpec<Readlink3Args, Readlink3Ok, Attrs | undefined> = {
  name: 'READLINK',
  modifies: false,
  decode: (r) => ({ symlink: decodeNfsFh3(r) }),
  target: (a) => a.symlink,
  run: (_a, call, ino) => call.backend.readlink(ino),
  encodeOk: (w, res) => {
    encodePostOpAttr(w, res.attrs);
    w.string(res.target);
  },
  fail: (a, call) => call.attrsOf(a.symlink),
  encodeFail: encodePostOpAttr,
};
