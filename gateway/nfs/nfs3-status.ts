import { BackendError, type PosixCode } from '../backend/errors';

/**
 * nfsstat3 (RFC 1813 §2.6) and THE one mapping from a Backend failure to it. No procedure
 * maps errnos itself: it throws (or lets through) a BackendError, and this table decides.
 */
export enum Nfs3Stat {
  NFS3_OK = 0,
  NFS3ERR_PERM = 1,
  NFS3ERR_NOENT = 2,
  NFS3ERR_IO = 5,
  NFS3ERR_NXIO = 6,
  NFS3ERR_ACCES = 13,
  NFS3ERR_EXIST = 17,
  NFS3ERR_XDEV = 18,
  NFS3ERR_NODEV = 19,
  NFS3ERR_NOTDIR = 20,
  NFS3ERR_ISDIR = 21,
  NFS3ERR_INVAL = 22,
  NFS3ERR_FBIG = 27,
  NFS3ERR_NOSPC = 28,
  NFS3ERR_ROFS = 30,
  NFS3ERR_MLINK = 31,
  NFS3ERR_NAMETOOLONG = 63,
  NFS3ERR_NOTEMPTY = 66,
  NFS3ERR_DQUOT = 69,
  NFS3ERR_STALE = 70,
  NFS3ERR_REMOTE = 71,
  NFS3ERR_BADHANDLE = 10001,
  NFS3ERR_NOT_SYNC = 10002,
  NFS3ERR_BAD_COOKIE = 10003,
  NFS3ERR_NOTSUPP = 10004,
  NFS3ERR_TOOSMALL = 10005,
  NFS3ERR_SERVERFAULT = 10006,
  NFS3ERR_BADTYPE = 10007,
  NFS3ERR_JUKEBOX = 10008,
}

const BY_CODE: Readonly<Record<PosixCode, Nfs3Stat>> = {
  EPERM: Nfs3Stat.NFS3ERR_PERM,
  ENOENT: Nfs3Stat.NFS3ERR_NOENT,
  EIO: Nfs3Stat.NFS3ERR_IO,
  ENXIO: Nfs3Stat.NFS3ERR_NXIO,
  EACCES: Nfs3Stat.NFS3ERR_ACCES,
  EEXIST: Nfs3Stat.NFS3ERR_EXIST,
  EXDEV: Nfs3Stat.NFS3ERR_XDEV,
  ENODEV: Nfs3Stat.NFS3ERR_NODEV,
  ENOTDIR: Nfs3Stat.NFS3ERR_NOTDIR,
  EISDIR: Nfs3Stat.NFS3ERR_ISDIR,
  EINVAL: Nfs3Stat.NFS3ERR_INVAL,
  EFBIG: Nfs3Stat.NFS3ERR_FBIG,
  ENOSPC: Nfs3Stat.NFS3ERR_NOSPC,
  EROFS: Nfs3Stat.NFS3ERR_ROFS,
  EMLINK: Nfs3Stat.NFS3ERR_MLINK,
  ENAMETOOLONG: Nfs3Stat.NFS3ERR_NAMETOOLONG,
  ENOTEMPTY: Nfs3Stat.NFS3ERR_NOTEMPTY,
  EDQUOT: Nfs3Stat.NFS3ERR_DQUOT,
  ESTALE: Nfs3Stat.NFS3ERR_STALE,
  EBADHANDLE: Nfs3Stat.NFS3ERR_BADHANDLE,
  ENOTSUP: Nfs3Stat.NFS3ERR_NOTSUPP,
  // A symlink loop met while resolving is the client's path problem, not a server fault.
  ELOOP: Nfs3Stat.NFS3ERR_INVAL,
  EBADF: Nfs3Stat.NFS3ERR_STALE,
  // Transient: the client retries later (RFC 1813 §2.6 NFS3ERR_JUKEBOX).
  EAGAIN: Nfs3Stat.NFS3ERR_JUKEBOX,
  // Not transient on a file system (rename of '.', a mount point): JUKEBOX would make clients
  // retry forever. POSIX gives EINVAL for the same renames.
  EBUSY: Nfs3Stat.NFS3ERR_INVAL,
  ENODATA: Nfs3Stat.NFS3ERR_NOENT,
  EBADCOOKIE: Nfs3Stat.NFS3ERR_BAD_COOKIE,
  ENOTSYNC: Nfs3Stat.NFS3ERR_NOT_SYNC,
};

/** The one errno → nfsstat3 mapping. Anything that is not a BackendError is a server fault. */
export function toNfs3Stat(err: unknown): Nfs3Stat {
  if (err instanceof Nfs3Error) return err.stat;
  if (err instanceof BackendError) return BY_CODE[err.code] ?? Nfs3Stat.NFS3ERR_SERVERFAULT;
  return Nfs3Stat.NFS3ERR_SERVERFAULT;
}

/**
 * A refusal decided by the protocol layer itself, with no errno behind it (TOOSMALL, BADTYPE,
 * ROFS of a read-only export, a bad cookie verifier).
 */
export class Nfs3Error extends Error {
  override readonly name = 'Nfs3Error';
  constructor(
    readonly stat: Nfs3Stat,
    message: string,
  ) {
    super(`${Nfs3Stat[stat]}: ${message}`);
  }
}

/** Statuses that are a normal answer (a miss, a race lost), logged at debug, not warn. */
export function isExpectedStat(stat: Nfs3Stat): boolean {
  return stat !== Nfs3Stat.NFS3ERR_SERVERFAULT && stat !== Nfs3Stat.NFS3ERR_IO;
}
