import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { libnfsUtilsPresent, nfsCat, nfsCp, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { startTwoFrontends, type TwoFrontends } from '../helpers/two-frontends';

/**
 * The proof that the metadata cache is real and the upcall keeps it coherent. Two frontends, A
 * and B, over one export and one core with features.cache-invalidation on; B's cache lives for
 * a minute, so only an upcall can make it drop an entry in time. Real libnfs clients warm B,
 * change the file through A, and then B's very first answer after A's reply must be the new one.
 */
const ROUNDS = 3;

describePeer(
  'two frontends kept coherent by the upcall',
  'libnfs-utils + gcc + libnfs-dev',
  libnfsUtilsPresent && libnfsToolBuildable,
  () => {
    let two: TwoFrontends;
    let a: LibnfsTool;
    let b: LibnfsTool;
    let local: string;
    let flushesAtStart: number;
    const bStats = () => two.b.frontend.cache.stats();

    beforeAll(async () => {
      two = await startTwoFrontends({
        upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
        cacheTtlMs: 60_000,
      });
      flushesAtStart = bStats().evictions.flushes; // wiring may flush the empty cache once
      a = libnfsTool(two.a.url);
      b = libnfsTool(two.b.url);
      local = await mkdtemp(join(tmpdir(), 'upcall-e2e-coh-'));
    });
    afterAll(async () => {
      await two?.close();
      if (local) await rm(local, { recursive: true, force: true });
    });

    test('B really caches: a repeated stat is served from its cache (attribute hits grow)', async () => {
      await writeFile(join(two.dir, 'warm'), 'abc');
      await b.stat('/warm');
      const before = bStats().hits;
      await b.stat('/warm');
      await b.stat('/warm');
      const after = bStats().hits;
      expect(after.attrs + after.dentries).toBeGreaterThanOrEqual(before.attrs + before.dentries + 2);
    });

    test('size: a write through A is what B answers next', async () => {
      await a.creat('/sized', 0o666);
      for (let i = 1; i <= ROUNDS; i++) {
        expect((await b.stat('/sized')).size).toBe((i - 1) * 100);
        expect((await b.stat('/sized')).size).toBe((i - 1) * 100); // warm
        await a.write('/sized', (i - 1) * 100, 'x'.repeat(100));
        expect((await b.stat('/sized')).size).toBe(i * 100);
      }
    });

    test('mode: a chmod through A is what B answers next', async () => {
      await a.creat('/moded', 0o600);
      for (const mode of [0o640, 0o604, 0o755, 0o600]) {
        await b.stat('/moded');
        await b.stat('/moded');
        await a.chmod('/moded', mode);
        expect((await b.stat('/moded')).mode & 0o7777).toBe(mode);
      }
    });

    test('create and unlink through A: B lists and finds the name at once, and loses it at once', async () => {
      await a.mkdir('/dir', 0o777);
      for (let i = 0; i < ROUNDS; i++) {
        const name = `made-${i}`;
        await expect(b.stat(`/dir/${name}`)).rejects.toMatchObject({ code: 'ENOENT' }); // negative entry
        const before = (await nfsLs(urlOf(two.b.url, '/dir'))).map((e) => e.name);
        expect(before).not.toContain(name);
        await a.creat(`/dir/${name}`, 0o644);
        expect((await b.stat(`/dir/${name}`)).size).toBe(0);
        expect((await nfsLs(urlOf(two.b.url, '/dir'))).map((e) => e.name)).toContain(name);
        await a.unlink(`/dir/${name}`);
        await expect(b.stat(`/dir/${name}`)).rejects.toMatchObject({ code: 'ENOENT' });
        expect((await nfsLs(urlOf(two.b.url, '/dir'))).map((e) => e.name)).not.toContain(name);
      }
    });

    test('rename through A: B sees the old name gone and the new one present', async () => {
      await a.creat('/r-0', 0o644);
      for (let i = 0; i < ROUNDS; i++) {
        const ino = (await b.stat(`/r-${i}`)).ino;
        await expect(b.stat(`/r-${i + 1}`)).rejects.toMatchObject({ code: 'ENOENT' });
        await b.ls('/');
        await a.rename(`/r-${i}`, `/r-${i + 1}`);
        await expect(b.stat(`/r-${i}`)).rejects.toMatchObject({ code: 'ENOENT' });
        expect((await b.stat(`/r-${i + 1}`)).ino).toBe(ino);
        const names = (await b.ls('/')).map((e) => e.name);
        expect(names).toContain(`r-${i + 1}`);
        expect(names).not.toContain(`r-${i}`);
      }
    });

    test('content: nfs-cp a new version through A and rename it over; B serves the new bytes', async () => {
      await writeFile(join(local, 'v0'), 'version zero');
      await nfsCp(join(local, 'v0'), urlOf(two.a.url, '/doc'));
      for (let i = 1; i <= ROUNDS; i++) {
        const old = await nfsCat(urlOf(two.b.url, '/doc'));
        expect((await b.stat('/doc')).size).toBe(old.length);
        const next = Buffer.from(`version ${i} ${'.'.repeat(i * 1000)}`);
        await writeFile(join(local, `v${i}`), next);
        await nfsCp(join(local, `v${i}`), urlOf(two.a.url, `/doc.tmp${i}`));
        await a.rename(`/doc.tmp${i}`, '/doc');
        expect((await b.stat('/doc')).size).toBe(next.length);
        expect((await nfsCat(urlOf(two.b.url, '/doc'))).equals(next)).toBe(true);
      }
      expect(await readFile(join(two.dir, 'doc'), 'utf8')).toMatch(/^version 3 /);
    });

    test('B was kept fresh by precise evictions, never by dropping everything', () => {
      const s = bStats();
      expect(s.evictions.attrs + s.evictions.dentries + s.evictions.listings).toBeGreaterThan(0);
      expect(s.evictions.flushes).toBe(flushesAtStart);
    });
  },
);
