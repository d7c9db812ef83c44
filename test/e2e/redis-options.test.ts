import Redis from 'ioredis';
import { createRedisUpcallCore } from '../../adapters/transport/redis';
import type { TransportUpcallCore, UpcallOptionsInput } from '../../upcall-core';
import { describePeer } from '../helpers/peers';
import {
  cutConnections,
  dropNamespace,
  REDIS_URL,
  redisAvailable,
  testNamespace,
} from '../helpers/redis-peer';
import { waitFor } from '../helpers/wait-for';

/**
 * The deployment's options live in Redis while any head does: a head that starts later, or
 * whose link was down when another head changed them, takes the stored ones; with none stored,
 * a head's own start options seed them.
 */
const TIMEOUT = 'features.cache-invalidation-timeout';

describePeer('Redis store: shared options', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  let ns: string;
  let admin: Redis;
  const cores: TransportUpcallCore[] = [];

  async function head(name: string, options: UpcallOptionsInput) {
    const { core } = await createRedisUpcallCore({
      options,
      redis: { url: REDIS_URL, namespace: ns, name: `${ns}${name}`, retryDelayMs: () => 300 },
    });
    cores.push(core);
    return core;
  }

  beforeEach(() => {
    ns = testNamespace();
    admin = new Redis(REDIS_URL, { protocol: 2 });
  });

  afterEach(async () => {
    await Promise.all(cores.splice(0).map((c) => c.close()));
    admin.disconnect();
    await dropNamespace(ns);
  });

  test('the first head seeds them; a head started later with other flags takes them', async () => {
    const a = await head('a', { 'features.cache-invalidation': true, [TIMEOUT]: 30 });
    expect(JSON.parse((await admin.get(`${ns}options`))!).options[TIMEOUT]).toBe(30);
    const b = await head('b', { 'features.cache-invalidation': false, [TIMEOUT]: 60 });
    expect(b.options).toEqual(a.options);
    const ttl = await admin.pttl(`${ns}options`);
    expect(ttl).toBeGreaterThan(0); // they outlive the last head by a bounded time only
  });

  test('a change made while a head’s link was down reaches it when the link is back', async () => {
    const on = { 'features.cache-invalidation': true, [TIMEOUT]: 60 } as const;
    const [a, b] = [await head('a', on), await head('b', on)];
    expect(await cutConnections(admin, `${ns}b`)).toBe(3);
    await waitFor(() => b.linkState === 'down', 'B to see its link down');
    a.reconfigure({ [TIMEOUT]: 45 }); // broadcast while B cannot hear it (it reconnects after 300 ms)
    await waitFor(() => b.linkState === 'up', 'B back');
    await waitFor(() => b.options[TIMEOUT] === 45, 'B to adopt the stored timeout');
  });
});
