import type { InodeKey } from '../../upcall-core';
import type { Ino } from './attrs';

/**
 * Backend inode number ↔ core key. Numbers are the core's fastest key; inode numbers past
 * 2^53 (rare: XFS with inode64, some FUSE file systems) become decimal strings.
 */
export function inodeKeyOf(ino: Ino): InodeKey {
  return ino <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ino) : ino.toString();
}

export function inoOfKey(key: InodeKey): Ino {
  return BigInt(key);
}
