import type { Wcc } from '../../backend/attrs';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.13 RMDIR.
 * args: diropargs3 of the directory to remove.
 * ok:   the parent's wcc_data.
 * fail: the parent's wcc_data. Not empty is NFS3ERR_NOTEMPTY, not a directory NFS3ERR_NOTDIR,
 *       "." or ".." NFS3ERR_INVAL.
 */
export const rmdir3: Nfs3ProcedureSpec<Diropargs3, Wcc, Wcc> = {
  name: 'RMDIR',
  modifies: true,
  decode: decodeDiropargs3,
  target: (a) => a.dir,
  run: async (a, call, dir) => {
    checkName(a.name);
    return (await call.backend.rmdir(dir, a.name, call.cred)).dir;
  },
  encodeOk: encodeWccData,
  fail: (a, call) => call.wccOf(a.dir),
  encodeFail: encodeWccData,
};
