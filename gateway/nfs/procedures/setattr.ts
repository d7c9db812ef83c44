import type { SetAttrs, Time, Wcc } from '../../backend/attrs';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { decodeNfstime3 } from '../xdr/nfstime3';
import { decodeSattr3 } from '../xdr/sattr3';
import { encodeWccData } from '../xdr/wcc-data';
import { checkSize } from './new-object';

/**
 * RFC 1813 §3.3.2 SETATTR.
 * args: the object, a sattr3 of what to change, and a guard: an optional ctime the object must
 *       still have, else NFS3ERR_NOT_SYNC and nothing changes.
 * ok:   the object's wcc_data.
 * fail: the object's wcc_data too (§3.3.2: "obj_wcc" in SETATTR3resfail).
 */
export interface Setattr3Args {
  readonly object: Buffer;
  readonly set: SetAttrs;
  readonly guardCtime: Time | undefined;
}

export const setattr3: Nfs3ProcedureSpec<Setattr3Args, Wcc, Wcc> = {
  name: 'SETATTR',
  modifies: true,
  decode: (r) => {
    const object = decodeNfsFh3(r);
    const set = decodeSattr3(r);
    const guardCtime = r.optional(decodeNfstime3);
    return { object, set, guardCtime };
  },
  target: (a) => a.object,
  run: async (a, call, ino) => {
    checkSize(a.set);
    return call.backend.setattr(ino, a.set, call.cred, a.guardCtime);
  },
  encodeOk: encodeWccData,
  fail: (a, call) => call.wccOf(a.object),
  encodeFail: encodeWccData,
};
