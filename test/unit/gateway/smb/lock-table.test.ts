import { type ByteRangeLock, LockTable } from '../../../../gateway/smb/lock-table';
import type { Open } from '../../../../gateway/smb/open-table';

/** Just what the lock table reads of an Open: its identity and inode. */
const openOn = (ino: bigint) => ({ ino }) as unknown as Open;
const lock = (open: Open, offset: number, length: number, exclusive: boolean): ByteRangeLock => ({
  open,
  offset: BigInt(offset),
  length: BigInt(length),
  exclusive,
});

describe('LockTable (MS-FSA byte-range locks, Windows rules)', () => {
  test('a zero-length lock sits between bytes: only a range with bytes on both sides collides', () => {
    const [a, b] = [openOn(1n), openOn(1n)];
    for (const [offset, length, collides] of [
      [9, 2, true],
      [9, 3, true],
      [10, 1, false],
      [9, 1, false],
      [11, 1, false],
      [10, 0, false],
    ] as const) {
      const t = new LockTable();
      expect(t.tryLock(lock(a, 10, 0, true))).toBe(true);
      expect(t.tryLock(lock(b, offset, length, true))).toBe(!collides);
      // And the other way round.
      const u = new LockTable();
      expect(u.tryLock(lock(b, offset, length, true))).toBe(true);
      expect(u.tryLock(lock(a, 10, 0, true))).toBe(!collides);
    }
  });

  test('unlocking a range with an exclusive and a shared lock stacked drops the exclusive first', () => {
    const [a, b] = [openOn(1n), openOn(1n)];
    const t = new LockTable();
    expect(t.tryLock(lock(a, 10, 10, true))).toBe(true);
    expect(t.tryLock(lock(a, 10, 10, false))).toBe(true); // stacked inside its own exclusive
    expect(t.tryLock(lock(b, 5, 10, false))).toBe(false);
    expect(t.unlock(a, 10n, 10n)).toBe(true);
    expect(t.tryLock(lock(b, 5, 10, false))).toBe(true); // only a's shared lock is left
    expect(t.tryLock(lock(b, 5, 10, true))).toBe(false);
  });
});
