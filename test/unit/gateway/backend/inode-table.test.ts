import { InodeTable } from '../../../../gateway/backend/inode-table';

describe('inode table', () => {
  const ROOT = 2n;
  const mk = (now = { t: 0 }) => {
    const t = new InodeTable(ROOT, 7, { now: () => now.t, tombstoneTtlMs: 1000 });
    t.note(10n, 1, true, { parent: ROOT, name: 'a' });
    t.note(11n, 1, true, { parent: 10n, name: 'b' });
    t.note(12n, 1, false, { parent: 11n, name: 'f' });
    return t;
  };

  test('paths are rebuilt through parents; the root is the empty path', () => {
    const t = mk();
    expect(t.relPathOf(ROOT)).toBe('');
    expect(t.relPathOf(12n)).toBe('a/b/f');
    expect(t.ancestry(12n)).toEqual([10n, 11n]);
    expect(t.ancestry(10n)).toEqual([]);
    expect(t.relPathOf(99n)).toBeUndefined();
  });

  test("renaming a directory moves every descendant's path with one update", () => {
    const t = mk();
    t.note(20n, 1, true, { parent: ROOT, name: 'z' });
    t.moveLink(10n, { parent: ROOT, name: 'a' }, { parent: 20n, name: 'a2' });
    expect(t.relPathOf(12n)).toBe('z/a2/b/f');
    expect(t.ancestry(12n)).toEqual([20n, 10n, 11n]);
  });

  test('a file keeps several links (hard links), newest first; dropping one keeps the others', () => {
    const t = mk();
    t.note(12n, 1, false, { parent: ROOT, name: 'g' });
    expect(t.links(12n).map((l) => l.name)).toEqual(['g', 'f']);
    t.dropLink(12n, { parent: ROOT, name: 'g' });
    expect(t.relPathOf(12n)).toBe('a/b/f');
  });

  test('a directory has one link: seeing it under a new name replaces the old', () => {
    const t = mk();
    t.note(11n, 1, true, { parent: ROOT, name: 'moved' });
    expect(t.links(11n)).toEqual([{ parent: ROOT, name: 'moved' }]);
  });

  test('a new generation for an inode number drops the old links and handle', () => {
    const t = mk();
    t.setHandle(12n, Buffer.from('h'));
    t.note(12n, 1, false);
    expect(t.handle(12n)).toEqual(Buffer.from('h'));
    t.note(12n, 2, false, { parent: ROOT, name: 'new' });
    expect(t.handle(12n)).toBeUndefined();
    expect(t.links(12n)).toEqual([{ parent: ROOT, name: 'new' }]);
  });

  test('forgotten inodes are tombstoned until the TTL passes, and seeing them again revives them', () => {
    const now = { t: 0 };
    const t = mk(now);
    t.forget(12n);
    expect(t.has(12n)).toBe(false);
    expect(t.isTombstoned(12n)).toBe(true);
    now.t = 999;
    expect(t.isTombstoned(12n)).toBe(true);
    now.t = 1000;
    expect(t.isTombstoned(12n)).toBe(false);
    t.forget(11n);
    t.note(11n, 3, true, { parent: ROOT, name: 'again' });
    expect(t.isTombstoned(11n)).toBe(false);
  });

  test('the root is never forgotten', () => {
    const t = mk();
    t.forget(ROOT);
    expect(t.has(ROOT)).toBe(true);
    expect(t.isTombstoned(ROOT)).toBe(false);
  });

  test('a cycle of stale links ends the walk instead of looping', () => {
    const t = new InodeTable(ROOT, 0);
    t.note(30n, 1, true, { parent: 31n, name: 'x' });
    t.note(31n, 1, true, { parent: 30n, name: 'y' });
    expect(t.relPathOf(30n)).toBeUndefined();
    expect(t.ancestry(30n)).toBeUndefined();
  });
});
