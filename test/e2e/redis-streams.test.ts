import Redis from 'ioredis';
import { createRedisUpcallCore, type RedisTransportOptions } from '../../adapters/transport/redis';
import { UpcallFlags as F, type Invalidation, type TransportUpcallCore } from '../../upcall-core';
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
 * The Redis transport's delivery guarantees, one fault each, on the shared Redis (the test's
 * own namespace; only this test's connections are killed):
 * - a link that drops and comes back replays what was delivered meanwhile, with no flush;
 * - a stream trimmed past what a head read is a gap: flush-all 'gap', then delivery goes on;
 * - a Redis that lost its state (new epoch) makes every subscribed cache flush ('transport-lost');
 * - changes a head could not even queue while down make every head flush (broadcast).
 */
const on = { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 } as const;

describePeer(
  'Redis transport: replay, gaps, lost state',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    let ns: string;
    let admin: Redis;
    const cores: TransportUpcallCore[] = [];

    async function head(name: string, extra: Partial<RedisTransportOptions> = {}) {
      const { core } = await createRedisUpcallCore({
        options: on,
        redis: { url: REDIS_URL, namespace: ns, name: `${ns}${name}`, retryDelayMs: () => 300, ...extra },
      });
      cores.push(core);
      return core;
    }

    function record(core: TransportUpcallCore, client: string): Invalidation[] {
      const got: Invalidation[] = [];
      core.events(client).subscribe((e) => got.push(e));
      return got;
    }

    /** Cuts every connection of head `name`; it reconnects after 300 ms. */
    async function cut(core: TransportUpcallCore, name: string): Promise<void> {
      expect(await cutConnections(admin, `${ns}${name}`)).toBe(3); // commands, blocking reader, ack subscriber
      await waitFor(() => core.linkState === 'down', `${name} to see its link down`);
    }

    beforeEach(async () => {
      ns = testNamespace();
      admin = new Redis(REDIS_URL, { protocol: 2 });
    });

    afterEach(async () => {
      await Promise.all(cores.splice(0).map((c) => c.close()));
      admin.disconnect();
      await dropNamespace(ns);
    });

    test('after a dropped link, deliveries made meanwhile are replayed, without a flush', async () => {
      const [a, b] = [await head('a'), await head('b')];
      const links: boolean[] = [];
      b.cacheLimits.coherent$().subscribe((up) => links.push(up));
      const got = record(b, 'B');
      b.access('B', 'f');
      await b.sync();
      await cut(b, 'b');
      await a.change('A', { inode: 'f', flags: F.SIZE });
      expect(a.stats().notifications).toBe(1);
      await waitFor(() => b.linkState === 'up' && got.length > 0, 'the replayed event');
      expect(got).toEqual([
        expect.objectContaining({ kind: 'inode', inode: 'f', flags: F.SIZE, origin: 'A' }),
      ]);
      expect(links).toEqual([true, false, true]);
    });

    test('a stream trimmed past the last entry read is a gap: flush-all, then delivery goes on', async () => {
      const trim = { exactTrim: true, streamMaxLen: 5 };
      const [a, b] = [await head('a', trim), await head('b', trim)];
      const got = record(b, 'B');
      for (let i = 0; i < 20; i++) b.access('B', `f${i}`);
      await b.sync();
      await cut(b, 'b');
      for (let i = 0; i < 20; i++) await a.change('A', { inode: `f${i}`, flags: F.SIZE });
      await waitFor(() => b.linkState === 'up' && got.length > 0, 'a flush-all');
      // The entries left after the trim arrive with the flush and are covered by it.
      expect(got).toEqual([expect.objectContaining({ kind: 'flush-all', reason: 'gap', target: 'B' })]);
      b.access('B', 'g');
      await b.sync();
      await a.change('A', { inode: 'g', flags: F.MODE });
      await waitFor(() => got.length === 2, 'the next delivery');
      expect(got[1]).toMatchObject({ kind: 'inode', inode: 'g' });
    });

    test('a Redis that lost its state (new epoch) flushes every subscribed cache', async () => {
      const b = await head('b');
      const got = record(b, 'B');
      b.access('B', 'f');
      await b.sync();
      await dropNamespace(ns); // as a restart without persistence would: registrations and epoch gone
      await cut(b, 'b');
      await waitFor(() => got.length > 0, 'a flush-all');
      expect(got).toEqual([expect.objectContaining({ kind: 'flush-all', reason: 'transport-lost' })]);
    });

    test('changes dropped while a head was down make every head flush when it is back', async () => {
      const [a, b] = [await head('a'), await head('b', { offlineLimit: 2 })];
      const gotA = record(a, 'A');
      await cut(b, 'b');
      for (let i = 0; i < 5; i++) await b.change('B', { inode: `f${i}`, flags: F.SIZE });
      expect(b.stats().publishFailures).toBe(5);
      await waitFor(() => gotA.length > 0, "a flush-all on A after B's link is back");
      expect(gotA).toEqual([expect.objectContaining({ kind: 'flush-all', reason: 'gap', target: 'A' })]);
    });
  },
);
