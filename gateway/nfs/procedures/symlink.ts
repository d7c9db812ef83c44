import type { SetAttrs, Wcc } from '../../backend/attrs';
import { checkName } from '../names';
import { PATH_MAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeNewObjectOk, type NewObjectOk } from '../xdr/diropres3';
import { decodeSattr3 } from '../xdr/sattr3';
import { encodeWccData } from '../xdr/wcc-data';
import { newObjectOk } from './new-object';

/**
 * RFC 1813 §3.3.10 SYMLINK.
 * args: where (diropargs3), then symlinkdata3: the link's sattr3 and its target (nfspath3,
 *       stored as given — the server never follows it).
 * ok:   the link's post_op_fh3 and post_op_attr, the parent's wcc_data.
 * fail: the parent's wcc_data.
 */
export interface Symlink3Args {
  readonly where: Diropargs3;
  readonly attrs: SetAttrs;
  readonly target: string;
}

export const symlink3: Nfs3ProcedureSpec<Symlink3Args, NewObjectOk, Wcc> = {
  name: 'SYMLINK',
  modifies: true,
  decode: (r) => {
    const where = decodeDiropargs3(r);
    const attrs = decodeSattr3(r);
    const target = r.string(PATH_MAX);
    return { where, attrs, target };
  },
  target: (a) => a.where.dir,
  run: async (a, call, dir) => {
    checkName(a.where.name);
    const made = await call.backend.symlink(dir, a.where.name, a.target, a.attrs.mode ?? 0o777, call.cred);
    return newObjectOk(call, made, a.attrs);
  },
  encodeOk: encodeNewObjectOk,
  fail: (a, call) => call.wccOf(a.where.dir),
  encodeFail: encodeWccData,
};
