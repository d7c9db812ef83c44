import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, type HeadProcess, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { PrivateRedis, redisServerPresent } from '../helpers/private-redis';
import type { RawNfsClient } from '../helpers/raw-nfs-client';
import { waitFor } from '../helpers/wait-for';

/**
 * Fault: Redis dies mid-run and comes back empty (no persistence). Reveals whether heads notice
 * the lost link (and stop serving from cache instead of missing invalidations), reconnect on
 * their own, flush what was cached before (the registrations are gone with Redis), and are
 * coherent again afterwards — never a stale read, and never a write that hangs on Redis.
 */
describePeer('Redis restarted under two heads', 'redis-server (a private one)', redisServerPresent, () => {
  let redis: PrivateRedis;
  let pair: HeadPair;
  let a: RawNfsClient;
  let b: RawNfsClient;
  let fh: Buffer;

  const stats = async (h: HeadProcess) => JSON.parse(await h.admin('/stats'));
  const link = async (h: HeadProcess) => (await stats(h)).core.link as string;
  const size = async () => (await b.nfs.getattr(fh)).attrs?.size;
  const until = async (what: string, cond: () => Promise<boolean>) => {
    let ok = false;
    const poll = async () => {
      ok = await cond();
    };
    const end = Date.now() + 10_000;
    while (!ok && Date.now() < end) {
      await poll();
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => ok, what, 0);
  };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    pair = await startPair({ redisUrl: redis.url, timeoutS: 60 });
    a = await pair.a.client();
    b = await pair.b.client();
    fh = (await a.nfs.create(await a.mountRoot(), 'f', 0)).fh!;
  });

  afterAll(async () => {
    await pair?.close();
    await redis?.down();
  });

  test('while Redis is down: writes still answer, B serves fresh attributes and caches nothing', async () => {
    expect(await size()).toBe(0);
    expect(await size()).toBe(0); // B has it cached now
    await redis.down();
    await until('both heads to see the link down', async () =>
      (await Promise.all([link(pair.a), link(pair.b)])).every((l) => l === 'down'),
    );
    const started = Date.now();
    expect((await a.nfs.write(fh, 0, Buffer.from('abc'))).stat).toBe(Nfs3Stat.NFS3_OK);
    expect(Date.now() - started).toBeLessThan(2000);
    const hits = (await stats(pair.b)).cache.hits.attrs;
    expect(await size()).toBe(3);
    expect(await size()).toBe(3);
    expect((await stats(pair.b)).cache.hits.attrs).toBe(hits);
  });

  test('Redis back (empty): heads reconnect, flush, and are coherent again at once', async () => {
    const flushesBefore = (await stats(pair.b)).cache.evictions.flushes;
    await redis.up();
    await until('both heads to resynchronise', async () =>
      (await Promise.all([link(pair.a), link(pair.b)])).every((l) => l === 'up'),
    );
    const after = await stats(pair.b);
    expect(after.cache.evictions.flushes).toBeGreaterThan(flushesBefore);
    expect(after.core.flushAll).toBeGreaterThan(0); // flush-all 'transport-lost' delivered
    let expected = 3;
    for (let i = 0; i < 20; i++) {
      expect(await size()).toBe(expected);
      expect(await size()).toBe(expected);
      expect((await a.nfs.write(fh, expected, Buffer.from('z'))).stat).toBe(Nfs3Stat.NFS3_OK);
      expected++;
      expect(await size()).toBe(expected);
    }
    expect((await stats(pair.b)).cache.hits.attrs).toBeGreaterThan(after.cache.hits.attrs);
  });
});
