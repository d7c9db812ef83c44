/**
 * Byte-range locks (MS-SMB2 §3.3.5.14, with MS-FSA §2.1.5.7's rules), per inode, held by Opens.
 *
 * A lock is shared or exclusive over [offset, offset + length); see `conflicts` for when two
 * collide (Windows locks are not re-entrant: an Open's own exclusive lock blocks its next one).
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

interface Range {
  offset: bigint;
  length: bigint;
}

/** Byte ranges overlap (for I/O against locks); a zero-length range overlaps nothing. */
function overlaps(a: Range, b: Range): boolean {
  return a.length > 0n && b.length > 0n && a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/**
 * Two locks' ranges collide. A zero-length lock at X sits between bytes, as on Windows
 * (smbtorture smb2.lock.zerobytelength): it collides with a range that holds bytes on both
 * sides of X (offset < X < offset + length), never with one starting or ending at X, nor with
 * another zero-length lock.
 */
function locksOverlap(a: Range, b: Range): boolean {
  if (a.length === 0n && b.length === 0n) return false;
  if (a.length === 0n) return b.offset < a.offset && a.offset < b.offset + b.length;
  if (b.length === 0n) return a.offset < b.offset && b.offset < a.offset + a.length;
  return overlaps(a, b);
}

/**
 * MS-FSA §2.1.5.7: shared locks coexist; an exclusive one conflicts with any overlapping lock,
 * except that the Open holding an exclusive lock may stack shared ones inside it.
 */
function conflicts(held: ByteRangeLock, want: ByteRangeLock): boolean {
  if (!locksOverlap(held, want)) return false;
  if (want.exclusive) return true;
  return held.exclusive && held.open !== want.open;
}

export class LockTable {
  private readonly byIno = new Map<Ino, ByteRangeLock[]>();

  /** Locks held on `ino` (tests, metrics). */
  locksOf(ino: Ino): readonly ByteRangeLock[] {
    return this.byIno.get(ino) ?? [];
  }

  /** Takes `lock` if nothing conflicts; false otherwise. */
  tryLock(lock: ByteRangeLock): boolean {
    const list = this.byIno.get(lock.open.ino) ?? [];
    if (list.some((l) => conflicts(l, lock))) return false;
    list.push(lock);
    this.byIno.set(lock.open.ino, list);
    return true;
  }

  /**
   * Drops a lock `open` holds on exactly this range; false if none. Where an exclusive and
   * shared ones are stacked on it, the exclusive goes first (as Windows; smb2.lock.unlock), so
   * other Opens may share the range at once.
   */
  unlock(open: Open, offset: bigint, length: bigint): boolean {
    const list = this.byIno.get(open.ino);
    if (!list) return false;
    let found = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i]!;
      if (l.open !== open || l.offset !== offset || l.length !== length) continue;
      if (found < 0 || (l.exclusive && !list[found]!.exclusive)) found = i;
    }
    if (found < 0) return false;
    list.splice(found, 1);
    if (list.length === 0) this.byIno.delete(open.ino);
    return true;
  }

  /**
   * Whether an I/O of `open` over the range is blocked by a lock (MS-FSA §2.1.5.2/2.1.5.3): a
   * read by another Open's exclusive lock; a write by that or by any shared lock, its own too.
   */
  blocksIo(open: Open, offset: bigint, length: bigint, write: boolean): boolean {
    const list = this.byIno.get(open.ino);
    if (!list || length === 0n) return false;
    const range = { offset, length };
    return list.some(
      (l) => overlaps(l, range) && ((l.exclusive && l.open !== open) || (write && !l.exclusive)),
    );
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
