import { lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirEntry } from '../../../../gateway/backend/backend';
import { cookieOf, splitCookie } from '../../../../gateway/backend/dir-snapshots';
import { PosixBackend } from '../../../../gateway/backend/posix-backend';
import { countCalls, expectCode, ROOT, touchMany, useExport } from './fixture';

describe('PosixBackend readdir', () => {
  const fx = useExport();

  test("a listing starts with '.' and '..' (the root is its own parent), then the names sorted", async () => {
    for (const n of ['b', 'a', 'c']) await writeFile(join(fx.dir, n), n);
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 100, false);
    expect(page.entries.map((e) => e.name)).toEqual(['.', '..', 'a', 'b', 'c']);
    expect(page.entries[0]!.fileid).toBe(fx.be.rootIno);
    expect(page.entries[1]!.fileid).toBe(fx.be.rootIno);
    expect(page.eof).toBe(true);
    expect(page.dirAttrs.fileid).toBe(fx.be.rootIno);
  });

  test("in a subdirectory '..' is the parent's inode, and fileids are the inodes", async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    await writeFile(join(fx.dir, 'a/b/f'), '');
    const a = await fx.be.lookup(fx.be.rootIno, 'a');
    const b = await fx.be.lookup(a.fileid, 'b');
    const page = await fx.be.readdir(b.fileid, 0n, 10, false);
    expect(page.entries.map((e) => [e.name, e.fileid])).toEqual([
      ['.', b.fileid],
      ['..', a.fileid],
      ['f', (await lstat(join(fx.dir, 'a/b/f'), { bigint: true })).ino],
    ]);
    expect(page.entries.every((e) => e.attrs === undefined)).toBe(true);
  });

  test('withAttrs returns each entry’s attributes (READDIRPLUS)', async () => {
    await writeFile(join(fx.dir, 'f'), '12345');
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 10, true);
    const f = page.entries.find((e) => e.name === 'f')!;
    expect(f.attrs).toMatchObject({ size: 5, fileid: f.fileid });
    expect(page.entries[0]!.attrs!.fileid).toBe(fx.be.rootIno);
  });

  test('a cookie whose tag is no listing of this directory is EBADCOOKIE', async () => {
    await writeFile(join(fx.dir, 'a'), '');
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 1, false);
    const { tag, position } = splitCookie(page.entries[0]!.cookie);
    await expectCode(
      fx.be.readdir(fx.be.rootIno, cookieOf((tag + 1) & 0x7fffffff, position), 10, false),
      'EBADCOOKIE',
    );
    await expectCode(fx.be.readdir(fx.be.rootIno, cookieOf(tag, 99), 10, false), 'EBADCOOKIE');
    await expectCode(fx.be.readdir(fx.be.rootIno, 1n << 63n, 10, false), 'EBADCOOKIE');
  });

  test('a cookie from before the directory changed is EBADCOOKIE once its listing is no longer held', async () => {
    const be = await fx.open({ readdirSnapshotNames: 3 });
    for (const n of ['a', 'b', 'c']) await writeFile(join(fx.dir, n), '');
    const page = await be.readdir(be.rootIno, 0n, 2, false);
    await writeFile(join(fx.dir, 'd'), '');
    await be.readdir(be.rootIno, 0n, 10, false); // a new listing pushes the old one out
    await expectCode(be.readdir(be.rootIno, page.entries[1]!.cookie, 10, false), 'EBADCOOKIE');
  });

  test('a listing in progress stays consistent while the directory changes (its snapshot is held)', async () => {
    for (const n of ['a', 'b', 'c', 'd']) await writeFile(join(fx.dir, n), '');
    const p1 = await fx.be.readdir(fx.be.rootIno, 0n, 3, false);
    await writeFile(join(fx.dir, 'aa'), ''); // sorts before 'b': would shift every later index
    const p2 = await fx.be.readdir(fx.be.rootIno, p1.entries[2]!.cookie, 10, false);
    expect([...p1.entries, ...p2.entries].map((e) => e.name)).toEqual(['.', '..', 'a', 'b', 'c', 'd']);
    expect(p2.verifier).toBe(p1.verifier);
    // a new listing sees the change
    const fresh = await fx.be.readdir(fx.be.rootIno, 0n, 10, false);
    expect(fresh.entries.map((e) => e.name)).toContain('aa');
    expect(fresh.verifier).not.toBe(p1.verifier);
  });

  test('entries removed since the snapshot are skipped, not returned stale', async () => {
    for (const n of ['a', 'b', 'c']) await writeFile(join(fx.dir, n), '');
    const p1 = await fx.be.readdir(fx.be.rootIno, 0n, 2, false);
    await rm(join(fx.dir, 'b'));
    const p2 = await fx.be.readdir(fx.be.rootIno, p1.entries[1]!.cookie, 10, false);
    expect(p2.entries.map((e) => e.name)).toEqual(['a', 'c']);
    expect(p2.eof).toBe(true);
  });

  test('a new listing sees a file created in the same clock tick as the previous listing', async () => {
    await writeFile(join(fx.dir, 'a'), '');
    await fx.be.readdir(fx.be.rootIno, 0n, 10, false);
    await writeFile(join(fx.dir, 'b'), ''); // the directory mtime may not move (coarse clock)
    const names = (await fx.be.readdir(fx.be.rootIno, 0n, 10, false)).entries.map((e) => e.name);
    expect(names).toEqual(['.', '..', 'a', 'b']);
  });

  test('cookies survive a restart and a second head: another instance continues the listing', async () => {
    for (let i = 0; i < 50; i++) await writeFile(join(fx.dir, `f${i}`), '');
    const p1 = await fx.be.readdir(fx.be.rootIno, 0n, 20, false);
    const other = await fx.open();
    const p2 = await other.readdir(fx.be.rootIno, p1.entries[19]!.cookie, 100, false);
    expect(p2.verifier).toBe(p1.verifier);
    const names = [...p1.entries, ...p2.entries].map((e) => e.name);
    expect(new Set(names).size).toBe(52);
    expect(p2.eof).toBe(true);
  });

  test('readdir of a file is ENOTDIR; maxEntries below 1 is EINVAL', async () => {
    const f = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT);
    await expectCode(fx.be.readdir(f.attrs.fileid, 0n, 10, false), 'ENOTDIR');
    await expectCode(fx.be.readdir(fx.be.rootIno, 0n, 0, false), 'EINVAL');
  });

  test('an empty page is only ever the end', async () => {
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 2, false);
    expect(page.eof).toBe(true);
    const after = await fx.be.readdir(fx.be.rootIno, page.entries[1]!.cookie, 10, false);
    expect(after).toMatchObject({ entries: [], eof: true });
  });
});

describe('PosixBackend readdir over a 5,000-entry directory', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `file-${i.toString().padStart(5, '0')}`);
  let base = '';
  let be: PosixBackend;
  let big: bigint;

  // Creating 5,000 files costs seconds on this disk: do it once for the block.
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'upcall-bigdir-'));
    await mkdir(join(base, 'big'));
    touchMany(join(base, 'big'), names);
    be = await PosixBackend.open(base);
    big = (await be.lookup(be.rootIno, 'big')).fileid;
  });
  afterAll(async () => {
    await be.close();
    await rm(base, { recursive: true, force: true });
  });

  async function listAll(pageSize: number, withAttrs: boolean): Promise<DirEntry[]> {
    const all: DirEntry[] = [];
    let cookie = 0n;
    for (let pages = 0; pages < 100_000; pages++) {
      const page = await be.readdir(big, cookie, pageSize, withAttrs);
      expect(page.entries.length).toBeLessThanOrEqual(pageSize);
      all.push(...page.entries);
      if (page.eof) return all;
      expect(page.entries.length).toBeGreaterThan(0);
      cookie = page.entries[page.entries.length - 1]!.cookie;
    }
    throw new Error('listing never reached eof');
  }

  test.each([97, 1000])('pages of %i: every name exactly once, cookies strictly increasing', async (size) => {
    const all = await listAll(size, false);
    expect(all.map((e) => e.name)).toEqual(['.', '..', ...names]);
    const cookies = all.map((e) => e.cookie);
    for (let i = 1; i < cookies.length; i++) expect(cookies[i]! > cookies[i - 1]!).toBe(true);
    expect(new Set(all.map((e) => e.fileid)).size).toBe(5002); // the directory, its parent, 5,000 files
  });

  test('READDIRPLUS pages carry attributes that match lstat', async () => {
    const all = await listAll(500, true);
    expect(all).toHaveLength(5002);
    const e = all[4000]!;
    expect(e.attrs!.fileid).toBe((await lstat(join(base, 'big', e.name), { bigint: true })).ino);
  });

  test('a page lstats only its own entries, and a later page does not list the directory again', async () => {
    const first = await be.readdir(big, 0n, 20, false);
    const { result, calls } = await countCalls('lstat', () =>
      be.readdir(big, first.entries[first.entries.length - 1]!.cookie, 20, true),
    );
    expect(result.entries).toHaveLength(20);
    expect(calls).toBeLessThanOrEqual(20);
    const { calls: lists } = await countCalls('readdir', () =>
      be.readdir(big, result.entries[19]!.cookie, 20, false),
    );
    expect(lists).toBe(0);
  });
});
