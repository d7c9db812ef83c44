/**
 * File attributes as every part of the gateway sees them: the union of what NFSv3's fattr3
 * and SMB2's FILE_*_INFORMATION need. Numbers where 2^53 is enough (sizes, ids),
 * bigint where the backend hands out 64-bit identities (fileid).
 */

/** Values match NFSv3 ftype3 (RFC 1813 §2.6) so the NFS encoder can write them as they are. */
export enum FileType {
  REG = 1,
  DIR = 2,
  BLK = 3,
  CHR = 4,
  LNK = 5,
  SOCK = 6,
  FIFO = 7,
}

/** Seconds and nanoseconds since the epoch, as nfstime3 carries them. */
export interface Time {
  readonly sec: number;
  readonly nsec: number;
}

/** Stable identity of an object inside one backend (the inode number). */
export type Ino = bigint;

export interface Attrs {
  readonly type: FileType;
  /** Permission bits only (07777); the type lives in `type`. */
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Bytes actually allocated. */
  readonly used: number;
  readonly rdev: { readonly major: number; readonly minor: number };
  /** Identity of the file system the object lives on (st_dev). */
  readonly fsid: bigint;
  readonly fileid: Ino;
  readonly atime: Time;
  readonly mtime: Time;
  readonly ctime: Time;
  /** Creation time where the backend knows it (SMB wants it), else ctime. */
  readonly birthtime: Time;
}

/** The pre-operation subset NFSv3 calls wcc_attr (RFC 1813 §2.6). */
export interface WccAttr {
  readonly size: number;
  readonly mtime: Time;
  readonly ctime: Time;
}

/** Weak cache consistency: attributes before (when known) and after an operation. */
export interface Wcc {
  readonly before?: WccAttr;
  readonly after?: Attrs;
}

/** Which attributes a SETATTR changes; absent fields are left alone. */
export interface SetAttrs {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly size?: number;
  /** `'server'` means "set to the server's current time" (NFSv3 SET_TO_SERVER_TIME). */
  readonly atime?: Time | 'server';
  readonly mtime?: Time | 'server';
}

export function wccAttrOf(a: Attrs): WccAttr {
  return { size: a.size, mtime: a.mtime, ctime: a.ctime };
}
