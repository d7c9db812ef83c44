import type { Wcc } from '../../backend/attrs';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.12 REMOVE (anything but a directory).
 * args: diropargs3 of the name to remove.
 * ok:   the directory's wcc_data.
 * fail: the directory's wcc_data. A directory is the backend's EISDIR → NFS3ERR_ISDIR
 *       (Linux answers EISDIR too, where POSIX unlink may say EPERM).
 */
export const remove3: Nfs3ProcedureSpec<Diropargs3, Wcc, Wcc> = {
  name: 'REMOVE',
  modifies: true,
  decode: decodeDiropargs3,
  target: (a) => a.dir,
  run: async (a, call, dir) => {
    checkName(a.name);
    return (await call.backend.remove(dir, a.name, call.cred)).dir;
  },
  encodeOk: encodeWccData,
  fail: (a, call) => call.wccOf(a.dir),
  encodeFail: encodeWccData,
};
