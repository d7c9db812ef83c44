import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * Two heads on one machine over one export, each with its export watcher: a write through head A
 * is seen by B's watcher too (inotify knows no heads). The heads share their own recent changes
 * through Redis, so B's watcher recognises A's writes as the gateway's and stays silent — before
 * that, every write through one head came back from the other head's watcher as one extra
 * invalidation to every head. A change made outside both heads is still sent (the control).
 */
interface WatcherStats {
  sent: number;
  suppressed: number;
  polledChanges: number;
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
    let pair: HeadPair;

    beforeAll(async () => {
      pair = await startPair({ redisUrl: REDIS_URL, namespace: testNamespace(), dropNamespace });
    });
    afterAll(() => pair?.close());

    test(`${WRITES} writes and creates through A: B's watcher sends none of them, an outside append is sent`, async () => {
      const a = await pair.a.client();
      const root = await a.mountRoot();
      const fh = (await a.nfs.create(root, 'shared', 0)).fh!;
      const [, b0] = await settled(pair);
      for (let i = 0; i < WRITES; i++) {
        expect((await a.nfs.write(fh, i, Buffer.from('x'))).stat).toBe(Nfs3Stat.NFS3_OK);
        expect((await a.nfs.create(root, `n${i}`, 0)).stat).toBe(Nfs3Stat.NFS3_OK);
        await new Promise((r) => setTimeout(r, 60)); // one watcher batch per round
      }
      const [, b1] = await settled(pair);
      expect(b1.suppressed - b0.suppressed).toBeGreaterThanOrEqual(WRITES);
      expect(b1.sent - b0.sent).toBe(0);
      expect(b1.polledChanges - b0.polledChanges).toBe(0); // nor does B's directory poller
      // The control: a change by another program is not the gateway's, whoever looks.
      await appendFile(join(pair.exportPath, 'shared'), 'outside');
      const [, b2] = await settled(pair);
      expect(b2.sent).toBeGreaterThan(b1.sent);
    });
  },
);
