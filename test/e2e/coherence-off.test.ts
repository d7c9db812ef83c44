import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';
import { startTwoFrontends, type TwoFrontends } from '../helpers/two-frontends';

/**
 * The control experiment for coherence.test.ts: the same two frontends with
 * features.cache-invalidation switched off at run time (core.reconfigure). B must now serve the
 * STALE answer from its cache — which proves the cache is real and that it was the upcall that
 * kept it fresh — until its own lifetime (TTL) runs out; then it answers fresh. Switched back
 * on, the upcall takes over again at once.
 */
const TTL_MS = 1500;
const ROUNDS = 2;

/** Polls an async probe until it holds; returns the ms it took. */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describePeer(
  'two frontends without invalidation serve stale data until the TTL',
  'gcc + libnfs-dev',
  libnfsToolBuildable,
  () => {
    let two: TwoFrontends;
    let a: LibnfsTool;
    let b: LibnfsTool;
    const cacheB = () => two.b.frontend.cache;

    beforeAll(async () => {
      two = await startTwoFrontends({
        upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
        cacheTtlMs: TTL_MS,
      });
      a = libnfsTool(two.a.url);
      b = libnfsTool(two.b.url);
      await a.mkdir('/d', 0o777);
    });
    afterAll(() => two?.close());

    test('switching invalidation off at run time keeps the cache at its own lifetime', () => {
      expect(cacheB().ttlMs).toBe(TTL_MS);
      two.core.reconfigure({ 'features.cache-invalidation': false });
      expect(two.core.options['features.cache-invalidation']).toBe(false);
      expect(cacheB().ttlMs).toBe(TTL_MS);
    });

    test('B answers stale size, mode and names after A changes them, then fresh once its TTL ran out', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const [file, name] = [`/f${round}`, `/d/n${round}`];
        await a.creat(file, 0o600);
        // Warm B: attributes, a negative entry, and a listing.
        const hitsBefore = cacheB().stats().hits;
        const warmStart = Date.now();
        expect((await b.stat(file)).size).toBe(0);
        expect((await b.stat(file)).mode & 0o777).toBe(0o600);
        await expect(b.stat(name)).rejects.toMatchObject({ code: 'ENOENT' });
        expect((await b.ls('/d')).map((e) => e.name)).not.toContain(`n${round}`);
        expect(cacheB().stats().hits.attrs).toBeGreaterThan(hitsBefore.attrs);

        await a.write(file, 0, 'grown');
        await a.chmod(file, 0o644);
        await a.creat(name, 0o644);

        // Stale — served from B's cache (the assertions only hold while its entries live).
        const st = await b.stat(file);
        const staleAt = Date.now();
        expect(staleAt - warmStart).toBeLessThan(TTL_MS); // else the check below proves nothing
        expect({ size: st.size, mode: st.mode & 0o777 }).toEqual({ size: 0, mode: 0o600 });
        await expect(b.stat(name)).rejects.toMatchObject({ code: 'ENOENT' });

        // Fresh once the TTL has run out, and not long after.
        await eventually(
          async () => {
            const s = await b.stat(file);
            return s.size === 5 && (s.mode & 0o777) === 0o644;
          },
          'fresh attributes on B',
          TTL_MS + 2000,
        );
        expect(Date.now() - warmStart).toBeGreaterThanOrEqual(TTL_MS - 50);
        await eventually(
          () =>
            b.stat(name).then(
              () => true,
              () => false,
            ),
          'the new name on B',
          TTL_MS + 2000,
        );
        expect((await b.ls('/d')).map((e) => e.name)).toContain(`n${round}`);
      }
    });

    test('switched back on, the upcall keeps B fresh again at once', async () => {
      two.core.reconfigure({ 'features.cache-invalidation': true });
      await a.creat('/again', 0o600);
      await b.stat('/again');
      await b.stat('/again');
      await a.chmod('/again', 0o640);
      expect((await b.stat('/again')).mode & 0o777).toBe(0o640);
    });

    test('a short upcall timeout caps the cache just under it (DESIGN rule 6)', () => {
      two.core.reconfigure({ 'features.cache-invalidation-timeout': 1 });
      expect(cacheB().ttlMs).toBeLessThan(1000);
      expect(cacheB().ttlMs).toBeGreaterThan(0);
      two.core.reconfigure({ 'features.cache-invalidation-timeout': 60 });
      expect(cacheB().ttlMs).toBe(TTL_MS);
    });
  },
);
