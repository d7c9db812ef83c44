import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * While features.cache-invalidation is off the watchers cost the write path nothing: no inotify
 * watch, no note in Redis, no upcall. Turned on at run time (through one head, for both), the
 * elected head's watch comes back (one watch for both: heads-one-watcher.test.ts) and a change
 * made outside the gateway reaches the caches of both heads again — the cache lifetime is 60 s,
 * so only an upcall can make a head answer the new size.
 */
interface WatcherStats {
  events: number;
  sent: number;
  suppressed: number;
  watching: boolean;
}

async function watcherOf(pair: HeadPair, head: 'a' | 'b'): Promise<WatcherStats> {
  return JSON.parse(await pair[head].admin('/stats')).watcher;
}

async function until(cond: () => Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The notes under `ns` (SCAN, never KEYS). */
async function noteKeys(r: Redis, ns: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${ns}rc:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

describePeer(
  'two heads, invalidation off then on: the watchers idle, then cover both heads again',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    const ns = testNamespace();
    let pair: HeadPair;
    let redis: Redis;

    beforeAll(async () => {
      pair = await startPair({ redisUrl: REDIS_URL, namespace: ns, dropNamespace, invalidation: false });
      redis = new Redis(REDIS_URL, { protocol: 2 });
    });
    afterAll(async () => {
      redis?.disconnect();
      await pair?.close();
    });

    test('off: no watch, no note, nothing sent; on through A: an outside append reaches A and B', async () => {
      const [a, b] = [await pair.a.client(), await pair.b.client()];
      const root = await a.mountRoot();
      await b.mountRoot();
      const fh = (await a.nfs.create(root, 'f', 0)).fh!;
      for (let i = 0; i < 5; i++)
        expect((await a.nfs.write(fh, i, Buffer.from('x'))).stat).toBe(Nfs3Stat.NFS3_OK);
      await appendFile(join(pair.exportPath, 'f'), 'outside'); // 12 bytes now
      await new Promise((r) => setTimeout(r, 300)); // well past one watcher batch
      for (const h of ['a', 'b'] as const) {
        const w = await watcherOf(pair, h);
        expect(w.watching).toBe(false);
        expect(w.events + w.sent + w.suppressed).toBe(0);
      }
      expect(await noteKeys(redis, ns)).toBe(0);

      const res = await fetch(`http://127.0.0.1:${pair.a.adminPort}/options`, {
        method: 'PUT',
        body: JSON.stringify({ 'features.cache-invalidation': 'on' }),
      });
      expect(res.status).toBe(200);
      await until(
        async () => (await watcherOf(pair, 'a')).watching !== (await watcherOf(pair, 'b')).watching,
        'one head watching',
      );
      expect((await a.nfs.getattr(fh)).attrs?.size).toBe(12);
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(12); // both cache 12 now, registered
      await appendFile(join(pair.exportPath, 'f'), 'more'); // 16
      await until(async () => (await a.nfs.getattr(fh)).attrs?.size === 16, 'A told');
      await until(async () => (await b.nfs.getattr(fh)).attrs?.size === 16, 'B told');

      // The gateway notes its own writes again: the watching head keeps its notes local (its own
      // watch is the one that sees its writes), the other shares them through Redis.
      const aWatches = (await watcherOf(pair, 'a')).watching;
      const [watching, other] = aWatches ? [a, b] : [b, a];
      const notesOf = async (c: typeof a) =>
        JSON.parse(await (c === a ? pair.a : pair.b).admin('/stats')).notes as { localOnly: number };
      expect((await watching.nfs.write(fh, 16, Buffer.from('y'))).stat).toBe(Nfs3Stat.NFS3_OK);
      expect((await notesOf(watching)).localOnly).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 50)); // past one gathering of notes
      expect(await noteKeys(redis, ns)).toBe(0);
      expect((await other.nfs.write(fh, 17, Buffer.from('z'))).stat).toBe(Nfs3Stat.NFS3_OK);
      await until(async () => (await noteKeys(redis, ns)) > 0, 'a note in Redis');
    });
  },
);
