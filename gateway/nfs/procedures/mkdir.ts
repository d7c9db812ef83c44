import type { SetAttrs, Wcc } from '../../backend/attrs';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeNewObjectOk, type NewObjectOk } from '../xdr/diropres3';
import { decodeSattr3 } from '../xdr/sattr3';
import { encodeWccData } from '../xdr/wcc-data';
import { newObjectOk } from './new-object';

/**
 * RFC 1813 §3.3.9 MKDIR.
 * args: where (diropargs3) and the new directory's sattr3 (mode defaults to 0755).
 * ok:   its post_op_fh3 and post_op_attr, the parent's wcc_data.
 * fail: the parent's wcc_data. An existing name is NFS3ERR_EXIST.
 */
export interface Mkdir3Args {
  readonly where: Diropargs3;
  readonly attrs: SetAttrs;
}

export const mkdir3: Nfs3ProcedureSpec<Mkdir3Args, NewObjectOk, Wcc> = {
  name: 'MKDIR',
  modifies: true,
  decode: (r) => {
    const where = decodeDiropargs3(r);
    const attrs = decodeSattr3(r);
    return { where, attrs };
  },
  target: (a) => a.where.dir,
  run: async (a, call, dir) => {
    checkName(a.where.name);
    const made = await call.backend.mkdir(dir, a.where.name, a.attrs.mode ?? 0o755, call.cred);
    return newObjectOk(call, made, a.attrs);
  },
  encodeOk: encodeNewObjectOk,
  fail: (a, call) => call.wccOf(a.where.dir),
  encodeFail: encodeWccData,
};
