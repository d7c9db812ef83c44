import {
  cookieOf,
  DirSnapshots,
  makeSnapshot,
  splitCookie,
  wellFormedCookie,
} from '../../../../gateway/backend/dir-snapshots';

describe('readdir snapshots and cookies', () => {
  test('cookies carry a 31-bit tag and a 32-bit position, and are never 0', () => {
    const c = cookieOf(0x7fffffff, 0xffffffff);
    expect(splitCookie(c)).toEqual({ tag: 0x7fffffff, position: 0xffffffff });
    expect(wellFormedCookie(c)).toBe(true);
    expect(cookieOf(0, 1)).toBe(1n);
    expect(wellFormedCookie(1n << 63n)).toBe(false);
  });

  test('a snapshot is sorted and its verifier depends on times and names', () => {
    const s = makeSnapshot(5n, 100n, 200n, ['b', 'a']);
    expect(s.names).toEqual(['a', 'b']);
    expect(makeSnapshot(5n, 100n, 200n, ['a', 'b']).verifier).toBe(s.verifier);
    // Same (coarse) mtime and ctime, one more name: a different listing, so a different tag.
    expect(makeSnapshot(5n, 100n, 200n, ['a', 'b', 'c']).tag).not.toBe(s.tag);
    expect(makeSnapshot(5n, 101n, 200n, ['a', 'b']).verifier).not.toBe(s.verifier);
    expect(makeSnapshot(5n, 100n, 201n, ['a', 'b']).verifier).not.toBe(s.verifier);
  });

  test('retained snapshots are bounded by names, least recently used out first', () => {
    const cache = new DirSnapshots(10);
    const a = cache.remember(makeSnapshot(1n, 1n, 1n, ['1', '2', '3', '4']));
    const b = cache.remember(makeSnapshot(2n, 1n, 1n, ['1', '2', '3', '4']));
    expect(cache.find(1n, a.tag)).toBe(a); // a is now the most recent
    cache.remember(makeSnapshot(3n, 1n, 1n, ['1', '2', '3', '4']));
    expect(cache.find(2n, b.tag)).toBeUndefined();
    expect(cache.find(1n, a.tag)).toBe(a);
    cache.drop(1n);
    expect(cache.find(1n, a.tag)).toBeUndefined();
  });
});
