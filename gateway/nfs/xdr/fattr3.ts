import type { Attrs } from '../../backend/attrs';
import type { XdrReader, XdrWriter } from '../../rpc/types';
import { decodeNfstime3, encodeNfstime3 } from './nfstime3';
import { decodeSpecdata3, encodeSpecdata3 } from './specdata3';
import { readU64Number, writeU64Number } from './uint64';

/** Encoded size of a fattr3: 21 XDR units. */
export const FATTR3_SIZE = 84;

/**
 * RFC 1813 §2.6 fattr3: type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, atime,
 * mtime, ctime. `Attrs.type` already holds ftype3 values and `mode` only the permission bits,
 * which is exactly what fattr3 carries, so this is a straight run of writes.
 */
export function encodeFattr3(w: XdrWriter, a: Attrs): void {
  w.u32(a.type)
    .u32(a.mode & 0o7777)
    .u32(a.nlink >>> 0)
    .u32(a.uid >>> 0)
    .u32(a.gid >>> 0);
  writeU64Number(w, a.size);
  writeU64Number(w, a.used);
  encodeSpecdata3(w, a.rdev);
  w.u64(a.fsid).u64(a.fileid);
  encodeNfstime3(w, a.atime);
  encodeNfstime3(w, a.mtime);
  encodeNfstime3(w, a.ctime);
}

/** The inverse, for clients of this module (tests, fixtures): birthtime is not on the wire. */
export function decodeFattr3(r: XdrReader): Attrs {
  const type = r.u32();
  const mode = r.u32();
  const nlink = r.u32();
  const uid = r.u32();
  const gid = r.u32();
  const size = readU64Number(r);
  const used = readU64Number(r);
  const rdev = decodeSpecdata3(r);
  const fsid = r.u64();
  const fileid = r.u64();
  const atime = decodeNfstime3(r);
  const mtime = decodeNfstime3(r);
  const ctime = decodeNfstime3(r);
  return {
    type,
    mode,
    nlink,
    uid,
    gid,
    size,
    used,
    rdev,
    fsid,
    fileid,
    atime,
    mtime,
    ctime,
    birthtime: ctime,
  };
}
