import type { BigIntStats } from 'node:fs';
import { type Attrs, FileType, type Time, type WccAttr } from './attrs';
import { BackendError } from './errors';

/**
 * Turns a `bigint: true` lstat/fstat into the gateway's Attrs. One place, so NFS fattr3, SMB
 * file information and the upcall event's stat all agree on every field.
 */

const NS_PER_SEC = 1_000_000_000n;

/** Splits nanoseconds since the epoch into nfstime3 shape; floors, so pre-1970 nsec stays in 0..1e9. */
export function timeOfNs(ns: bigint): Time {
  let sec = ns / NS_PER_SEC;
  let nsec = ns % NS_PER_SEC;
  if (nsec < 0n) {
    nsec += NS_PER_SEC;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

export function fileTypeOf(mode: bigint): FileType {
  switch (Number(mode & 0o170000n)) {
    case 0o100000:
      return FileType.REG;
    case 0o040000:
      return FileType.DIR;
    case 0o120000:
      return FileType.LNK;
    case 0o020000:
      return FileType.CHR;
    case 0o060000:
      return FileType.BLK;
    case 0o140000:
      return FileType.SOCK;
    case 0o010000:
      return FileType.FIFO;
    default:
      throw new BackendError('EIO', `unknown file type in mode ${mode.toString(8)}`);
  }
}

/** Linux's dev_t encoding (glibc gnu_dev_major/minor), which keeps 12+20 bits beyond the old 8+8. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * The handle generation: the low 32 bits of the birth time in ns. It tells an inode number
 * reused by a new file from the old one (Node cannot read the kernel's i_generation). Where the
 * file system has no birth time, statx leaves it 0 and so is the generation — never ctime,
 * which would change the handle on every chmod.
 */
export function genOf(st: BigIntStats): number {
  return Number(BigInt.asUintN(32, st.birthtimeNs));
}

/** `fsid` is the export's identity (st_dev by default), not necessarily this stat's dev. */
export function attrsOf(st: BigIntStats, fsid: bigint): Attrs {
  const ctime = timeOfNs(st.ctimeNs);
  return {
    type: fileTypeOf(st.mode),
    mode: Number(st.mode & 0o7777n),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    used: Number(st.blocks * 512n),
    rdev: splitDev(st.rdev),
    fsid,
    fileid: st.ino,
    atime: timeOfNs(st.atimeNs),
    mtime: timeOfNs(st.mtimeNs),
    ctime,
    birthtime: st.birthtimeNs === 0n ? ctime : timeOfNs(st.birthtimeNs),
  };
}

/** What permission checks need, without building a whole Attrs. */
export function permOf(st: BigIntStats): Pick<Attrs, 'type' | 'mode' | 'uid' | 'gid'> {
  return {
    type: fileTypeOf(st.mode),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

/** The pre-operation half of wcc_data, straight from a stat. */
export function wccOf(st: BigIntStats): WccAttr {
  return { size: Number(st.size), mtime: timeOfNs(st.mtimeNs), ctime: timeOfNs(st.ctimeNs) };
}

export function isDirStat(st: BigIntStats): boolean {
  return (st.mode & 0o170000n) === 0o040000n;
}

export function isRegStat(st: BigIntStats): boolean {
  return (st.mode & 0o170000n) === 0o100000n;
}

export function isLnkStat(st: BigIntStats): boolean {
  return (st.mode & 0o170000n) === 0o120000n;
}
