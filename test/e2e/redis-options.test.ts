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
 * Options changed at run time on one head live in Redis while any head does: a head that starts
 * later, or whose link was down when the change was broadcast, takes them. Until such a change,
 * each head keeps its own start flags.
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

  test('start flags stay each head’s own; options changed at run time are every head’s, later ones too', async () => {
    const a = await head('a', { 'features.cache-invalidation': true, [TIMEOUT]: 30 });
    expect(await admin.get(`${ns}options`)).toBeNull();
    const b = await head('b', { 'features.cache-invalidation': true, [TIMEOUT]: 60 });
    expect(b.options[TIMEOUT]).toBe(60);
    a.reconfigure({ [TIMEOUT]: 20 });
    await waitFor(() => b.options[TIMEOUT] === 20, 'B to follow the run-time change');
    const c = await head('c', { 'features.cache-invalidation': false, [TIMEOUT]: 60 });
    expect(c.options).toEqual(a.options);
    expect(await admin.pttl(`${ns}options`)).toBeGreaterThan(0); // outlive the last head by a bounded time
  });

  test('a change made while a head’s link was down reaches it when the link is back', async () => {
    const on = { 'features.cache-invalidation': true, [TIMEOUT]: 60 } as const;
    const [a, b] = [await head('a', on), await head('b', on)];
    expect(await cutConnections(admin, `${ns}b`)).toBe(3);
    await waitFor(() => b.linkState === 'down', 'B to see its link down');
    a.reconfigure({ [TIMEOUT]: 45 }); // broadcast while B cannot hear it (it reconnects after 300 ms)
    await waitFor(() => b.linkState === 'up', 'B back');
    await waitFor(() => b.options[TIMEOUT] === 45, 'B to adopt the stored timeout');
    // B subscribed again after the cut: the next change reaches it as a broadcast.
    a.reconfigure({ [TIMEOUT]: 30 });
    await waitFor(() => b.options[TIMEOUT] === 30, 'B to hear the next broadcast');
  });
});
