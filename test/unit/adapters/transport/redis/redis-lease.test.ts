import Redis from 'ioredis';
import { RedisLease } from '../../../../../adapters/transport/redis/redis-lease';
import { describePeer } from '../../../../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../../../../helpers/redis-peer';

/** LEASE_LUA through RedisLease, on the real Redis: one holder at a time, compare-and-set. */
describePeer('RedisLease: one holder at a time', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  const ns = testNamespace();
  let redis: Redis;
  let up = true;
  /** Each holder names a connection of its own, open unless the test drops it. */
  const conns = new Map<string, Redis>();
  const connIds = new Map<string, number>();
  async function lease(holder: string): Promise<RedisLease> {
    if (!conns.has(holder)) {
      const c = new Redis(REDIS_URL, { protocol: 2 });
      conns.set(holder, c);
      connIds.set(holder, Number(await c.client('ID')));
    }
    return new RedisLease(`${ns}watcher:x`, holder, {
      run: (script, args) => redis.eval(script.lua, 0, ...args),
      up: () => up,
      connection: () => connIds.get(holder),
      connectionOpen: async (id) => String(await redis.client('LIST', 'ID', String(id))).length > 0,
      get: (key) => redis.get(key),
    });
  }

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { protocol: 2 });
  });
  afterEach(async () => {
    up = true;
    await redis.del(`${ns}watcher:x`);
  });
  afterAll(async () => {
    redis.disconnect();
    for (const c of conns.values()) c.disconnect();
    await dropNamespace(ns);
  });

  test('the first claim takes it, another holder is refused, the holder renews (TTL pushed back)', async () => {
    const [a, b] = [await lease('a'), await lease('b')];
    expect(await a.claim(1000)).toBe(true);
    expect(await b.claim(1000)).toBe(false);
    expect(await redis.get(`${ns}watcher:x`)).toBe(`a#${connIds.get('a')}`);
    expect(await a.claim(60_000)).toBe(true);
    expect(await redis.pttl(`${ns}watcher:x`)).toBeGreaterThan(1000);
  });

  test('a lease not renewed runs out and the next claimant takes it', async () => {
    const [a, b] = [await lease('a'), await lease('b')];
    expect(await a.claim(50)).toBe(true);
    await new Promise((r) => setTimeout(r, 80));
    expect(await b.claim(1000)).toBe(true);
    expect(await a.claim(1000)).toBe(false); // the late holder does not get it back
    expect(await redis.get(`${ns}watcher:x`)).toBe(`b#${connIds.get('b')}`);
  });

  test('asks for a handover: the busiest stands, a head does not see its own, an ask expires', async () => {
    const [a, b, c] = [await lease('a'), await lease('b'), await lease('c')];
    await redis.del(`${ns}watcher:x:ask`);
    expect(await a.asked()).toBeUndefined();
    await b.ask(800, 1000);
    await c.ask(600, 1000); // less busy than the standing ask: refused
    expect(await a.asked()).toBe(800);
    expect(await b.asked()).toBeUndefined(); // its own
    await b.ask(300, 1000); // the same asker updates its own
    expect(await a.asked()).toBe(300);
    await c.ask(600, 40);
    expect(await b.asked()).toBe(600);
    await new Promise((r) => setTimeout(r, 80));
    expect(await b.asked()).toBeUndefined();
    up = false;
    await a.ask(999, 1000); // link down: nothing sent, nothing read
    expect(await b.asked()).toBeUndefined();
    up = true;
    expect(await b.asked()).toBeUndefined();
  });

  test("release deletes only the holder's own lease", async () => {
    const [a, b] = [await lease('a'), await lease('b')];
    expect(await a.claim(1000)).toBe(true);
    await b.release();
    expect(await redis.get(`${ns}watcher:x`)).toBe(`a#${connIds.get('a')}`);
    await a.release();
    expect(await redis.exists(`${ns}watcher:x`)).toBe(0);
    expect(await b.claim(1000)).toBe(true);
  });

  test('while the link is down a claim fails at once and nothing is sent', async () => {
    up = false;
    expect(await (await lease('a')).claim(1000)).toBe(false);
    expect(await redis.exists(`${ns}watcher:x`)).toBe(0);
  });

  test('a holder whose connection is gone loses the lease to the next claimant at once, not after its TTL', async () => {
    const [a, b] = [await lease('dead'), await lease('b2')];
    expect(await a.claim(60_000)).toBe(true);
    conns.get('dead')!.disconnect(); // the process was killed: the kernel closed its sockets
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.claim(60_000)).toBe(true);
    expect(b.deadHolders).toBe(1);
    expect(await redis.get(`${ns}watcher:x`)).toBe(`b2#${connIds.get('b2')}`);
  });

  test('a live holder keeps it; a reconnected holder renews under its new connection', async () => {
    const [a, b] = [await lease('live'), await lease('c')];
    expect(await a.claim(60_000)).toBe(true);
    expect(await b.claim(60_000)).toBe(false);
    expect(b.deadHolders).toBe(0);
    connIds.set('live', connIds.get('c')!); // as if its reader reconnected with another id
    expect(await a.claim(60_000)).toBe(true);
    expect(await redis.get(`${ns}watcher:x`)).toBe(`live#${connIds.get('c')}`);
  });
});
