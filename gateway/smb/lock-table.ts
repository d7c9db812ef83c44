/**
 * Byte-range locks (MS-SMB2 §3.3.5.14, with MS-FSA §2.1.5.7's rules), per inode, held by Opens.
 *
 * A lock is shared or exclusive over [offset, offset + length). Two locks conflict when their
 * ranges overlap and either is exclusive — whichever Opens hold them (Windows locks are not
 * re-entrant: an Open's own exclusive lock blocks it too). A zero-length range overlaps nothing.
 * An unlock must name exactly a range its Open locked. Closing an Open drops its locks.
 * These locks are SMB's alone: NFS (v3 has no locks in-band) and the backend do not see them.
 */
import type { Ino } from '../backend/attrs';
import type { Open } from './open-table';

export interface ByteRangeLock {
  readonly open: Open;
  readonly offset: bigint;
  readonly length: bigint;
  readonly exclusive: boolean;
}

const overlaps = (a: { offset: bigint; length: bigint }, b: { offset: bigint; length: bigint }): boolean =>
  a.length > 0n && b.length > 0n && a.offset < b.offset + b.length && b.offset < a.offset + a.length;

export class LockTable {
  private readonly byIno = new Map<Ino, ByteRangeLock[]>();

  /** Locks held on `ino` (tests, metrics). */
  locksOf(ino: Ino): readonly ByteRangeLock[] {
    return this.byIno.get(ino) ?? [];
  }

  /** Takes `lock` if nothing conflicts; false otherwise. */
  tryLock(lock: ByteRangeLock): boolean {
    const list = this.byIno.get(lock.open.ino) ?? [];
    if (list.some((l) => overlaps(l, lock) && (l.exclusive || lock.exclusive))) return false;
    list.push(lock);
    this.byIno.set(lock.open.ino, list);
    return true;
  }

  /** Drops the lock `open` holds on exactly this range (the most recent one); false if none. */
  unlock(open: Open, offset: bigint, length: bigint): boolean {
    const list = this.byIno.get(open.ino);
    if (!list) return false;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i]!;
      if (l.open === open && l.offset === offset && l.length === length) {
        list.splice(i, 1);
        if (list.length === 0) this.byIno.delete(open.ino);
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an I/O of `open` over the range is blocked by another Open's lock (MS-FSA
   * §2.1.5.2/2.1.5.3): a write by any lock held elsewhere, a read only by an exclusive one.
   */
  blocksIo(open: Open, offset: bigint, length: bigint, write: boolean): boolean {
    const list = this.byIno.get(open.ino);
    if (!list) return false;
    const range = { offset, length };
    return list.some((l) => l.open !== open && (write || l.exclusive) && overlaps(l, range));
  }

  /** Drops every lock of `open` (its close, §3.3.4.17). */
  releaseOpen(open: Open): void {
    const list = this.byIno.get(open.ino);
    if (!list) return;
    const kept = list.filter((l) => l.open !== open);
    if (kept.length > 0) this.byIno.set(open.ino, kept);
    else this.byIno.delete(open.ino);
  }
}
