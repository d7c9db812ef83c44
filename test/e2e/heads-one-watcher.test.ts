import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadProcess, startPair, useRedisPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import type { RawNfsClient } from '../helpers/raw-nfs-client';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * Two heads on one machine over one export elect ONE export watcher (a lease in Redis): the
 * other holds no inotify watch at all, yet a change made outside the gateway reaches both heads'
 * caches (cache lifetime 60 s: only an upcall can make a head answer the new size). When the
 * watching head is killed the other takes over once the lease runs out (6 s + a 2 s check) and
 * asks every head to flush once its watch is in place: a change made while nobody watched is
 * gone from the survivor's cache too.
 */
interface Stats {
  watcher: {
    watching: boolean;
    elected: boolean;
    takeovers: number;
    flushesSent: number;
    sent: number;
    deadHolders: number;
  };
  cache: { evictions: { flushes: number } };
  redis: { broadcasts: number };
}

const statsOf = async (h: HeadProcess): Promise<Stats> => JSON.parse(await h.admin('/stats'));

async function until(cond: () => Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sizeIs = (c: RawNfsClient, fh: Buffer, n: number) => async () =>
  (await c.nfs.getattr(fh)).attrs?.size === n;

describePeer(
  'two heads on one machine: one elected export watcher, taken over when it is killed',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    const t = useRedisPair();

    test('exactly one head watches; an outside change reaches both; killed, the other takes over and flushes', async () => {
      const [sa, sb] = [await statsOf(t.pair.a), await statsOf(t.pair.b)];
      expect([sa.watcher.watching, sb.watcher.watching].filter(Boolean)).toHaveLength(1);
      expect(sa.watcher.elected).toBe(sa.watcher.watching);
      expect(sb.watcher.elected).toBe(sb.watcher.watching);
      const [watching, other] = sa.watcher.watching ? [t.pair.a, t.pair.b] : [t.pair.b, t.pair.a];
      // The same, as Prometheus sees it.
      const watchingGauge = async (h: HeadProcess) =>
        Number(/^upcall_watcher_watching\{[^}]*\} (\S+)$/m.exec(await h.admin('/metrics'))?.[1]);
      expect([await watchingGauge(watching), await watchingGauge(other)]).toEqual([1, 0]);

      const [w, o] = [await watching.client(), await other.client()];
      const root = await w.mountRoot();
      await o.mountRoot();
      const fh = (await w.nfs.create(root, 'f', 0)).fh!;
      expect((await w.nfs.write(fh, 0, Buffer.from('1234'))).stat).toBe(Nfs3Stat.NFS3_OK);
      const f = join(t.pair.exportPath, 'f');
      expect((await w.nfs.getattr(fh)).attrs?.size).toBe(4);
      expect((await o.nfs.getattr(fh)).attrs?.size).toBe(4); // both cache 4, registered
      await appendFile(f, 'out'); // 7, by another program
      await until(sizeIs(w, fh, 7), 'the watching head told');
      await until(sizeIs(o, fh, 7), 'the other head told');

      // Killed: nobody watches until the other head takes over. A change made now is seen by no
      // watcher; only the takeover's flush can make the survivor drop its cached size.
      const before = await statsOf(other);
      await watching.stop(true);
      await appendFile(f, 'gap'); // 10
      // At the next check (2 s): the killed head's Redis connection is gone, so its lease is taken
      // over without waiting for it to run out (6 s). The bound is only slack for a busy machine.
      await until(async () => (await statsOf(other)).watcher.watching, 'the other head watching', 10_000);
      const after = await statsOf(other);
      expect(after.watcher).toMatchObject({ elected: true, takeovers: 1, deadHolders: 1 });
      expect(after.watcher.flushesSent).toBeGreaterThan(before.watcher.flushesSent);
      await until(
        async () => (await statsOf(other)).cache.evictions.flushes > before.cache.evictions.flushes,
        'the takeover flush reached the survivor',
      );
      expect((await statsOf(other)).redis.broadcasts).toBeGreaterThan(before.redis.broadcasts);
      expect((await o.nfs.getattr(fh)).attrs?.size).toBe(10);

      // And the new watcher sees outside changes from now on.
      await appendFile(f, 'more'); // 14
      await until(sizeIs(o, fh, 14), 'the new watcher told');
      expect((await statsOf(other)).watcher.sent).toBeGreaterThan(before.watcher.sent);
    }, 28_000);

    test('the watching head stopped cleanly hands over at the next check, not after its lease ran out', async () => {
      const fresh = await startPair({ redisUrl: REDIS_URL, namespace: testNamespace(), dropNamespace });
      try {
        const aWatches = (await statsOf(fresh.a)).watcher.watching;
        const [watching, other] = aWatches ? [fresh.a, fresh.b] : [fresh.b, fresh.a];
        expect((await statsOf(other)).watcher.watching).toBe(false);
        await watching.stop(); // SIGTERM: the lease is deleted on the way out
        // One check (2 s) with slack; a lease left to run out would take up to 6 s more.
        await until(async () => (await statsOf(other)).watcher.watching, 'the other head watching', 3500);
        expect((await statsOf(other)).watcher).toMatchObject({ elected: true, takeovers: 1, flushesSent: 1 });
      } finally {
        await fresh.close();
      }
    }, 20_000);
  },
);
