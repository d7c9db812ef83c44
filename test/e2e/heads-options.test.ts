import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * The upcall options are the deployment's, not one head's: a change made at run time on one
 * head (admin endpoint, or SIGHUP) reaches every head of the namespace through Redis. Proven
 * by what B does, not only by what it reports: with invalidation turned off on A, B's cache
 * keeps a stale answer; turned back on through A, B is coherent again.
 */
async function optionsOf(pair: HeadPair, head: 'a' | 'b'): Promise<Record<string, unknown>> {
  return JSON.parse(await pair[head].admin('/options'));
}

async function put(pair: HeadPair, head: 'a' | 'b', options: object): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${pair[head].adminPort}/options`, {
    method: 'PUT',
    body: JSON.stringify(options),
  });
  expect(res.status).toBe(200);
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 2000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within 2 s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describePeer(
  'options shared by the heads of one Redis namespace',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    let pair: HeadPair;

    beforeAll(async () => {
      pair = await startPair({
        redisUrl: REDIS_URL,
        namespace: testNamespace(),
        dropNamespace,
        timeoutS: 60,
      });
    });
    afterAll(() => pair?.close());

    test('a timeout set on A is B’s timeout too', async () => {
      await put(pair, 'a', { 'features.cache-invalidation-timeout': 45 });
      expect((await optionsOf(pair, 'a'))['features.cache-invalidation-timeout']).toBe(45);
      await until(
        async () => (await optionsOf(pair, 'b'))['features.cache-invalidation-timeout'] === 45,
        'B to take the new timeout',
      );
    });

    test('invalidation turned off on A: B stops being told (stale); back on through A: coherent again', async () => {
      const [a, b] = [await pair.a.client(), await pair.b.client()];
      const fh = (await a.nfs.create(await a.mountRoot(), 'opt', 0)).fh!;
      await put(pair, 'a', { 'features.cache-invalidation': 'off' });
      await until(async () => (await optionsOf(pair, 'b'))['features.cache-invalidation'] === false, 'B off');
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(0); // B caches size 0
      expect((await a.nfs.write(fh, 0, Buffer.from('abc'))).stat).toBe(Nfs3Stat.NFS3_OK);
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(0); // nobody told B: the cache is real
      await put(pair, 'a', { 'features.cache-invalidation': 'on' });
      await until(async () => (await optionsOf(pair, 'b'))['features.cache-invalidation'] === true, 'B on');
      // Re-enabling flushed B (its cache was filled unregistered); a write is then seen first try.
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(3);
      expect((await a.nfs.write(fh, 3, Buffer.from('d'))).stat).toBe(Nfs3Stat.NFS3_OK);
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(4);
    });
  },
);
