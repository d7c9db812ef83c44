import Redis from 'ioredis';
import { LEASE_LUA } from '../../../../../adapters/transport/redis/lua-scripts';
import { RedisLease } from '../../../../../adapters/transport/redis/redis-lease';
import { describePeer } from '../../../../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../../../../helpers/redis-peer';

/** LEASE_LUA through RedisLease, on the real Redis: one holder at a time, compare-and-set. */
describePeer('RedisLease: one holder at a time', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  const ns = testNamespace();
  let redis: Redis;
  let up = true;
  const lease = (holder: string) =>
    new RedisLease(
      `${ns}watcher:x`,
      holder,
      (args) => redis.eval(LEASE_LUA, 0, ...args),
      () => up,
    );

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { protocol: 2 });
  });
  afterEach(async () => {
    up = true;
    await redis.del(`${ns}watcher:x`);
  });
  afterAll(async () => {
    redis.disconnect();
    await dropNamespace(ns);
  });

  test('the first claim takes it, another holder is refused, the holder renews (TTL pushed back)', async () => {
    const [a, b] = [lease('a'), lease('b')];
    expect(await a.claim(1000)).toBe(true);
    expect(await b.claim(1000)).toBe(false);
    expect(await redis.get(`${ns}watcher:x`)).toBe('a');
    expect(await a.claim(60_000)).toBe(true);
    expect(await redis.pttl(`${ns}watcher:x`)).toBeGreaterThan(1000);
  });

  test('a lease not renewed runs out and the next claimant takes it', async () => {
    const [a, b] = [lease('a'), lease('b')];
    expect(await a.claim(50)).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await b.claim(1000)).toBe(true);
    expect(await a.claim(1000)).toBe(false); // the late holder does not get it back
    expect(await redis.get(`${ns}watcher:x`)).toBe('b');
  });

  test("release deletes only the holder's own lease", async () => {
    const [a, b] = [lease('a'), lease('b')];
    expect(await a.claim(1000)).toBe(true);
    await b.release();
    expect(await redis.get(`${ns}watcher:x`)).toBe('a');
    await a.release();
    expect(await redis.exists(`${ns}watcher:x`)).toBe(0);
    expect(await b.claim(1000)).toBe(true);
  });

  test('while the link is down a claim fails at once and nothing is sent', async () => {
    up = false;
    expect(await lease('a').claim(1000)).toBe(false);
    expect(await redis.exists(`${ns}watcher:x`)).toBe(0);
  });
});
