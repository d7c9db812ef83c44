import { Nfs3Stat, toNfs3Stat } from '../nfs/nfs3-status';

/**
 * mountstat3 (RFC 1813 §5.1.5). Its values are the nfsstat3 values of the same names, so
 * a failure is mapped by the one `toNfs3Stat` and kept when MOUNT has that status; anything
 * MOUNT cannot say becomes MNT3ERR_SERVERFAULT.
 */
export enum MountStat3 {
  MNT3_OK = 0,
  MNT3ERR_PERM = 1,
  MNT3ERR_NOENT = 2,
  MNT3ERR_IO = 5,
  MNT3ERR_ACCES = 13,
  MNT3ERR_NOTDIR = 20,
  MNT3ERR_INVAL = 22,
  MNT3ERR_NAMETOOLONG = 63,
  MNT3ERR_NOTSUPP = 10004,
  MNT3ERR_SERVERFAULT = 10006,
}

export function toMountStat3(err: unknown): MountStat3 {
  const stat: number = toNfs3Stat(err);
  if (stat === Nfs3Stat.NFS3ERR_STALE) return MountStat3.MNT3ERR_NOENT;
  return stat in MountStat3 && stat !== MountStat3.MNT3_OK
    ? (stat as MountStat3)
    : MountStat3.MNT3ERR_SERVERFAULT;
}

export const MOUNT_PROGRAM = 100005;
export const MOUNT_V3 = 3;
/** RFC 1813 §5.1: MNTPATHLEN and MNTNAMLEN. */
export const MNTPATHLEN = 1024;
export const MNTNAMLEN = 255;
