import type { SetAttrs, Time } from '../../backend/attrs';
import type { XdrReader, XdrWriter } from '../../rpc/types';
import { decodeNfstime3, encodeNfstime3 } from './nfstime3';
import { readU64Number, writeU64Number } from './uint64';

/** RFC 1813 §2.6 time_how. */
export enum TimeHow {
  DONT_CHANGE = 0,
  SET_TO_SERVER_TIME = 1,
  SET_TO_CLIENT_TIME = 2,
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function decodeSetTime(r: XdrReader): Time | 'server' | undefined {
  const how = r.u32();
  if (how === TimeHow.SET_TO_CLIENT_TIME) return decodeNfstime3(r);
  if (how === TimeHow.SET_TO_SERVER_TIME) return 'server';
  // Any other discriminant is the union's void default: no change.
  return undefined;
}

/**
 * RFC 1813 §2.6 sattr3: six optional settings (mode, uid, gid, size, atime, mtime).
 * A size past 2^53 decodes as Infinity; the procedure answers NFS3ERR_FBIG for it.
 */
export function decodeSattr3(r: XdrReader): SetAttrs {
  const s: Mutable<SetAttrs> = {};
  if (r.bool()) s.mode = r.u32() & 0o7777;
  if (r.bool()) s.uid = r.u32();
  if (r.bool()) s.gid = r.u32();
  if (r.bool()) s.size = readU64Number(r);
  const atime = decodeSetTime(r);
  if (atime !== undefined) s.atime = atime;
  const mtime = decodeSetTime(r);
  if (mtime !== undefined) s.mtime = mtime;
  return s;
}

function encodeSetTime(w: XdrWriter, t: Time | 'server' | undefined): void {
  if (t === undefined) w.u32(TimeHow.DONT_CHANGE);
  else if (t === 'server') w.u32(TimeHow.SET_TO_SERVER_TIME);
  else {
    w.u32(TimeHow.SET_TO_CLIENT_TIME);
    encodeNfstime3(w, t);
  }
}

export function encodeSattr3(w: XdrWriter, s: SetAttrs): void {
  w.bool(s.mode !== undefined);
  if (s.mode !== undefined) w.u32(s.mode);
  w.bool(s.uid !== undefined);
  if (s.uid !== undefined) w.u32(s.uid);
  w.bool(s.gid !== undefined);
  if (s.gid !== undefined) w.u32(s.gid);
  w.bool(s.size !== undefined);
  if (s.size !== undefined) writeU64Number(w, s.size);
  encodeSetTime(w, s.atime);
  encodeSetTime(w, s.mtime);
}

/** True when the sattr3 asks for anything besides mode and size (applied by a SETATTR after a create). */
export function hasOwnershipOrTimes(s: SetAttrs): boolean {
  return s.uid !== undefined || s.gid !== undefined || s.atime !== undefined || s.mtime !== undefined;
}
