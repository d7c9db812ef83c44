import type { Attrs } from '../../backend/attrs';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.3 LOOKUP.
 * args: diropargs3 (directory handle, name). "." is the directory, ".." its parent — except at
 *       the export root, whose ".." is itself (the Backend's rule), so a client can never climb
 *       out of the export.
 * ok:   the object's handle, its post_op_attr, the directory's post_op_attr.
 * fail: the directory's post_op_attr (lets a client cache the miss against the dir's mtime).
 */
export interface Lookup3Ok {
  readonly handle: Buffer;
  readonly attrs: Attrs;
  readonly dirAttrs: Attrs | undefined;
}

export const lookup3: Nfs3ProcedureSpec<Diropargs3, Lookup3Ok, Attrs | undefined> = {
  name: 'LOOKUP',
  modifies: false,
  decode: decodeDiropargs3,
  target: (a) => a.dir,
  run: async (a, call, dir) => {
    checkName(a.name);
    const [attrs, dirAttrs] = await Promise.all([
      call.backend.lookup(dir, a.name, call.cred),
      call.backend.getattr(dir).catch(() => undefined),
    ]);
    return { handle: call.handleOf(attrs.fileid), attrs, dirAttrs };
  },
  encodeOk: (w, res) => {
    encodeNfsFh3(w, res.handle);
    encodePostOpAttr(w, res.attrs);
    encodePostOpAttr(w, res.dirAttrs);
  },
  fail: (a, call) => call.attrsOf(a.dir),
  encodeFail: encodePostOpAttr,
};
