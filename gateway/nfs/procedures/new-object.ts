import type { Attrs, SetAttrs } from '../../backend/attrs';
import type { CreateResult } from '../../backend/backend';
import { BackendError } from '../../backend/errors';
import { MAX_FILE_SIZE } from '../nfs3-limits';
import type { Nfs3Call } from '../nfs3-procedure';
import type { NewObjectOk } from '../xdr/diropres3';
import { hasOwnershipOrTimes } from '../xdr/sattr3';

/** RFC 1813 §2.6: a sattr3 size past what we can address is NFS3ERR_FBIG. */
export function checkSize(set: SetAttrs): void {
  if (set.size !== undefined && set.size > MAX_FILE_SIZE) {
    throw new BackendError('EFBIG', `size ${set.size} past ${MAX_FILE_SIZE}`);
  }
}

/**
 * The Backend's create calls take a mode (and size); the rest of a sattr3 (owner, group, times)
 * is applied with one SETATTR on the new object, as RFC 1813 §3.3.8 asks ("the attributes
 * the file should have"). Returns the success body with the new object's handle.
 */
export async function newObjectOk(call: Nfs3Call, made: CreateResult, set: SetAttrs): Promise<NewObjectOk> {
  let attrs: Attrs | undefined = made.attrs;
  if (hasOwnershipOrTimes(set)) {
    const rest: SetAttrs = { uid: set.uid, gid: set.gid, atime: set.atime, mtime: set.mtime };
    const wcc = await call.backend.setattr(made.attrs.fileid, stripUndefined(rest), call.cred);
    attrs = wcc.after;
  }
  return { handle: call.handleOf(made.attrs.fileid), attrs, dirWcc: made.dir };
}

function stripUndefined(s: SetAttrs): SetAttrs {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as SetAttrs;
}
