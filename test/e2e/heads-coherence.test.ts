import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import type { RawNfsClient } from '../helpers/raw-nfs-client';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * Coherence across two head processes through Redis, as a client sees it: read through B (its
 * cache now holds the answer for a minute), change through A, read through B — the new value on
 * the first try in every one of 100 rounds per kind of change. A replies to a change only once B
 * acknowledged its eviction (RedisTransport ackTimeoutMs), and B fills no cache before its
 * registration is visible in Redis, so the first try holds; an ack timeout would show up here.
 * The rounds use our own RPC client (one socket per head, a few hundred µs a round) so 600
 * rounds take seconds; heads-libnfs.test.ts repeats them with libnfs itself. The same run with
 * invalidation off proves the cache is real: B then keeps answering the old value.
 */
const ROUNDS = 100;
/** Every round fresh on the first try; SOON_MS only bounds how long a failing round is retried (for the report). */
const MIN_FIRST_TRY = ROUNDS;
const SOON_MS = 200;

/** Runs `check` until it holds (at most SOON_MS); tells whether it held the first time. */
async function firstTry(check: () => Promise<boolean>): Promise<boolean> {
  if (await check()) return true;
  const until = Date.now() + SOON_MS;
  while (Date.now() < until) {
    if (await check()) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`still stale ${SOON_MS} ms after the change returned`);
}

/** A counter of head A's Redis link, from its Prometheus endpoint. */
async function redisEvent(pair: HeadPair, event: string): Promise<number> {
  const text = await pair.a.admin('/metrics');
  const m = new RegExp(`^upcall_redis_events_total\\{[^}]*event="${event}"[^}]*\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function rootAndDir(c: RawNfsClient, dir: string): Promise<Buffer> {
  const root = await c.mountRoot();
  return c.walk(root, dir);
}

async function names(c: RawNfsClient, dir: Buffer): Promise<Set<string>> {
  return new Set((await c.nfs.listAll(dir)).entries.map((e) => e.name));
}

async function sizeOf(c: RawNfsClient, fh: Buffer): Promise<number | undefined> {
  return (await c.nfs.getattr(fh)).attrs?.size;
}

describePeer('two heads kept coherent through Redis', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  let pair: HeadPair;
  let a: RawNfsClient;
  let b: RawNfsClient;
  let dirA: Buffer;
  let dirB: Buffer;

  beforeAll(async () => {
    pair = await startPair({ redisUrl: REDIS_URL, namespace: testNamespace(), dropNamespace });
    a = await pair.a.client();
    b = await pair.b.client();
    const root = await a.mountRoot();
    expect((await a.nfs.mkdir(root, 'd', { mode: 0o777 })).stat).toBe(Nfs3Stat.NFS3_OK);
    dirA = await rootAndDir(a, '/d');
    dirB = await rootAndDir(b, '/d');
  });

  afterAll(() => pair?.close());

  test(`size after WRITE through A: B's first GETATTR has it (${ROUNDS} rounds)`, async () => {
    const fh = (await a.nfs.create(dirA, 'grow', 0)).fh!;
    const hitsBefore = JSON.parse(await pair.b.admin('/stats')).cache.hits.attrs;
    const [waitsBefore, timeoutsBefore] = [
      await redisEvent(pair, 'ackWaits'),
      await redisEvent(pair, 'ackTimeouts'),
    ];
    let fresh = 0;
    for (let i = 0; i < ROUNDS; i++) {
      expect(await sizeOf(b, fh)).toBe(i); // warm: B caches size i
      expect(await sizeOf(b, fh)).toBe(i); // served from B's cache
      expect((await a.nfs.write(fh, i, Buffer.from('x'))).stat).toBe(Nfs3Stat.NFS3_OK);
      if (await firstTry(async () => (await sizeOf(b, fh)) === i + 1)) fresh++;
    }
    expect(fresh).toBeGreaterThanOrEqual(MIN_FIRST_TRY);
    // A really waited for B's acknowledgements (and B answered in time).
    expect((await redisEvent(pair, 'ackWaits')) - waitsBefore).toBeGreaterThanOrEqual(ROUNDS);
    // A timeout is a 5 ms wait that ran out (B busy): rare, and first-try freshness held anyway.
    expect((await redisEvent(pair, 'ackTimeouts')) - timeoutsBefore).toBeLessThanOrEqual(ROUNDS / 10);
    const hitsAfter = JSON.parse(await pair.b.admin('/stats')).cache.hits.attrs;
    expect(hitsAfter - hitsBefore).toBeGreaterThanOrEqual(ROUNDS); // the cache was really used
  });

  test(`several WRITEs through A between B's reads, most of them quiet: B's first GETATTR has the last size (${ROUNDS} rounds)`, async () => {
    const fh = (await a.nfs.create(dirA, 'quiet', 0)).fh!;
    const quietBefore = await redisEvent(pair, 'quietChanges');
    const stats = async () => JSON.parse(await pair.b.admin('/stats'));
    const recallsBefore = (await stats()).redis.recallWaits;
    let size = 0;
    let fresh = 0;
    for (let i = 0; i < ROUNDS; i++) {
      expect(await sizeOf(b, fh)).toBe(size);
      expect(await sizeOf(b, fh)).toBe(size); // cached
      // The first tells B; then A holds a grant and the rest ask Redis nothing.
      for (let k = 0; k < 5; k++) {
        expect((await a.nfs.write(fh, size, Buffer.from('q'))).stat).toBe(Nfs3Stat.NFS3_OK);
        size++;
      }
      const want = size;
      if (await firstTry(async () => (await sizeOf(b, fh)) === want)) fresh++;
    }
    expect(fresh).toBeGreaterThanOrEqual(MIN_FIRST_TRY);
    // The quiet path was really taken, and B's reads really recalled the grants.
    expect((await redisEvent(pair, 'quietChanges')) - quietBefore).toBeGreaterThanOrEqual(ROUNDS);
    expect((await stats()).redis.recallWaits - recallsBefore).toBeGreaterThanOrEqual(ROUNDS / 2);
  });

  test(`size after SETATTR size (truncate) through A (${ROUNDS} rounds)`, async () => {
    const fh = (await a.nfs.create(dirA, 'trunc', 0)).fh!;
    let size = 0;
    let fresh = 0;
    for (let i = 0; i < ROUNDS; i++) {
      expect(await sizeOf(b, fh)).toBe(size);
      size = (i * 7919) % 5000;
      if (size === 0 || size === ((i - 1) * 7919) % 5000) size += 1;
      expect((await a.nfs.setattr(fh, { size })).stat).toBe(Nfs3Stat.NFS3_OK);
      const want = size;
      if (await firstTry(async () => (await sizeOf(b, fh)) === want)) fresh++;
    }
    expect(fresh).toBeGreaterThanOrEqual(MIN_FIRST_TRY);
  });

  test(`mode after SETATTR mode (chmod) through A (${ROUNDS} rounds)`, async () => {
    const fh = (await a.nfs.create(dirA, 'modes', 0, { mode: 0o600 })).fh!;
    let mode = 0o600;
    let fresh = 0;
    for (let i = 0; i < ROUNDS; i++) {
      expect((await b.nfs.getattr(fh)).attrs?.mode).toBe(mode);
      mode = i % 2 === 0 ? 0o640 + (i % 8) : 0o600;
      expect((await a.nfs.setattr(fh, { mode })).stat).toBe(Nfs3Stat.NFS3_OK);
      const want = mode;
      if (await firstTry(async () => (await b.nfs.getattr(fh)).attrs?.mode === want)) fresh++;
    }
    expect(fresh).toBeGreaterThanOrEqual(MIN_FIRST_TRY);
  });

  test(`listings and lookups after CREATE, RENAME, REMOVE through A (${ROUNDS} rounds each)`, async () => {
    let fresh = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const [x, y] = [`x${i}`, `y${i}`];
      let allFirst = true;
      const soon = async (check: () => Promise<boolean>) => {
        if (!(await firstTry(check))) allFirst = false;
      };
      // create: B's cached listing and its cached "no such name" must both go
      expect((await names(b, dirB)).has(x)).toBe(false);
      expect((await b.nfs.lookup(dirB, x)).stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
      expect((await a.nfs.create(dirA, x, 0)).stat).toBe(Nfs3Stat.NFS3_OK);
      await soon(async () => (await names(b, dirB)).has(x));
      await soon(async () => (await b.nfs.lookup(dirB, x)).stat === Nfs3Stat.NFS3_OK);
      // rename
      expect((await a.nfs.rename(dirA, x, dirA, y)).stat).toBe(Nfs3Stat.NFS3_OK);
      await soon(async () => {
        const afterRename = await names(b, dirB);
        return !afterRename.has(x) && afterRename.has(y);
      });
      await soon(async () => (await b.nfs.lookup(dirB, x)).stat === Nfs3Stat.NFS3ERR_NOENT);
      // unlink
      expect((await a.nfs.remove(dirA, y)).stat).toBe(Nfs3Stat.NFS3_OK);
      await soon(async () => !(await names(b, dirB)).has(y));
      await soon(async () => (await b.nfs.lookup(dirB, y)).stat === Nfs3Stat.NFS3ERR_NOENT);
      if (allFirst) fresh++;
    }
    expect(fresh).toBeGreaterThanOrEqual(MIN_FIRST_TRY);
  });
});

describePeer(
  'two heads with features.cache-invalidation off',
  `redis-server at ${REDIS_URL}`,
  redisAvailable,
  () => {
    let pair: HeadPair;

    beforeAll(async () => {
      pair = await startPair({
        redisUrl: REDIS_URL,
        namespace: testNamespace(),
        dropNamespace,
        invalidation: false,
      });
    });

    afterAll(() => pair?.close());

    test('B keeps serving what it cached: the cache is real, only upcalls keep it coherent', async () => {
      const [a, b] = [await pair.a.client(), await pair.b.client()];
      const fh = (await a.nfs.create(await a.mountRoot(), 'stale', 0)).fh!;
      expect(await sizeOf(b, fh)).toBe(0);
      expect((await b.nfs.lookup(await b.mountRoot(), 'later')).stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
      await a.nfs.write(fh, 0, Buffer.from('12345'));
      await a.nfs.create(await a.mountRoot(), 'later', 0);
      for (let i = 0; i < 5; i++) {
        expect(await sizeOf(b, fh)).toBe(0);
        expect((await b.nfs.lookup(await b.mountRoot(), 'later')).stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
      }
      expect(await sizeOf(a, fh)).toBe(5);
    });
  },
);
