import { RefreshFilter } from '../../../../../adapters/transport/redis/refresh-filter';

describe('RefreshFilter (the read path skips Redis while a registration is fresh)', () => {
  test('due once per interval per (client, inode); other pairs are independent', () => {
    const f = new RefreshFilter();
    expect(f.due('A', '1', 0, 500)).toBe(true);
    expect(f.due('A', '1', 499, 500)).toBe(false);
    expect(f.due('B', '1', 499, 500)).toBe(true);
    expect(f.due('A', '2', 499, 500)).toBe(true);
    expect(f.due('A', '1', 500, 500)).toBe(true); // refreshed again: the interval is a bound, not a hint
    expect(f.due('A', '1', 999, 500)).toBe(false);
  });

  test('a dropped registration (FORGET) and a cleared filter (link lost) register again at once', () => {
    const f = new RefreshFilter();
    f.due('A', '1', 0, 500);
    f.due('A', '2', 0, 500);
    f.drop('A', '1');
    expect(f.due('A', '1', 1, 500)).toBe(true);
    f.clear();
    expect(f.due('A', '2', 2, 500)).toBe(true);
  });

  test('bounded: past its size the oldest refreshes are forgotten first', () => {
    const f = new RefreshFilter(32);
    for (let i = 0; i < 100; i++) f.due('A', String(i), i, 1_000_000);
    expect(f.size).toBeLessThanOrEqual(32);
    expect(f.due('A', '99', 100, 1_000_000)).toBe(false); // the newest are kept
    expect(f.due('A', '0', 100, 1_000_000)).toBe(true); // the oldest went
  });
});
