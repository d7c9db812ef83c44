import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, useRedisPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { REDIS_URL, redisAvailable } from '../helpers/redis-peer';

/**
 * Two heads on one machine over one export: one of them is the elected export watcher
 * (heads-one-watcher.test.ts), and it sees the writes made through the other head too (inotify
 * knows no heads). The heads share their own recent changes through Redis, so the watcher
 * recognises the other head's writes as the gateway's and stays silent — before that, every such
 * write came back from the watcher as one extra invalidation to every head. A change made outside
 * both heads is still sent (the control).
 */
interface WatcherStats {
  events: number;
  sent: number;
  suppressed: number;
  polledChanges: number;
  watching: boolean;
}

async function watcherOf(pair: HeadPair, head: 'a' | 'b'): Promise<WatcherStats> {
  return JSON.parse(await pair[head].admin('/stats')).watcher;
}

/** Waits until both watchers have handled everything (their counters stop moving for 300 ms). */
async function settled(pair: HeadPair): Promise<[WatcherStats, WatcherStats]> {
  let last = '';
  for (;;) {
    const now = await Promise.all([watcherOf(pair, 'a'), watcherOf(pair, 'b')]);
    const key = JSON.stringify(now);
    if (key === last) return now;
    last = key;
    await new Promise((r) => setTimeout(r, 300));
  }
}

const WRITES = 20;

describePeer(
  'two heads on one machine: watchers share the gateway writes',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    const t = useRedisPair();

    test(`${WRITES} writes and creates through the other head: the watcher sends none of them, an outside append is sent`, async () => {
      const [wa, wb] = await settled(t.pair);
      expect(wa.watching).not.toBe(wb.watching); // one elected watcher
      // `a` writes through the head that does not watch; b0…b2 are the watcher's counters.
      const [writer, watcherIx] = wa.watching ? ([t.pair.b, 0] as const) : ([t.pair.a, 1] as const);
      const a = await writer.client();
      const root = await a.mountRoot();
      const fh = (await a.nfs.create(root, 'shared', 0)).fh!;
      const b0 = (await settled(t.pair))[watcherIx];
      for (let i = 0; i < WRITES; i++) {
        expect((await a.nfs.write(fh, i, Buffer.from('x'))).stat).toBe(Nfs3Stat.NFS3_OK);
        expect((await a.nfs.create(root, `n${i}`, 0)).stat).toBe(Nfs3Stat.NFS3_OK);
        // One watcher window per round: past the longest window (120 ms) and a recheck (30 ms).
        // A directory changed again by the gateway before its recheck is sent (exact match),
        // an extra eviction this test would count.
        await new Promise((r) => setTimeout(r, 200));
      }
      const both = await settled(t.pair);
      const b1 = both[watcherIx];
      expect(both[1 - watcherIx].events).toBe(0); // the other head holds no watch at all
      expect(b1.suppressed - b0.suppressed).toBeGreaterThanOrEqual(WRITES);
      expect(b1.sent - b0.sent).toBe(0);
      expect(b1.polledChanges - b0.polledChanges).toBe(0); // nor does the watcher's directory poller
      // The control: a change by another program is not the gateway's, whoever looks.
      await appendFile(join(t.pair.exportPath, 'shared'), 'outside');
      const b2 = (await settled(t.pair))[watcherIx];
      expect(b2.sent).toBeGreaterThan(b1.sent);
    });
  },
);
