import Redis from 'ioredis';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';
import { sleep } from '../helpers/wait-for';

/**
 * Fault: one head dies with SIGKILL (no goodbye to Redis). Reveals whether the other keeps
 * serving — reads, writes, listings — and whether the dead head's registrations expire on their
 * own after 2T (T = 1 s here), so the survivor stops publishing deliveries nobody reads.
 */
describePeer('one of two heads killed with SIGKILL', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  const namespace = testNamespace();
  let pair: HeadPair;
  let redis: Redis;

  /** Inodes on which `client` is registered, from the store itself. */
  async function registrations(client: string): Promise<number> {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}i:*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) if ((await redis.zscore(k, client)) !== null) n++;
    } while (cursor !== '0');
    return n;
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { protocol: 2 });
    pair = await startPair({ redisUrl: REDIS_URL, namespace, dropNamespace, timeoutS: 1 });
  });

  afterAll(async () => {
    await pair?.close();
    redis?.disconnect();
  });

  test('the survivor keeps serving; the dead head is no longer told after 2T', async () => {
    const [a, b] = [await pair.a.client(), await pair.b.client()];
    const fh = (await b.nfs.create(await b.mountRoot(), 'f', 0)).fh!;
    expect((await a.nfs.getattr(fh)).stat).toBe(Nfs3Stat.NFS3_OK); // A registers on f
    expect(await registrations('head-a/nfs')).toBeGreaterThan(0);

    await pair.a.stop(true);
    expect(pair.a.proc.child.signalCode).toBe('SIGKILL');

    const sentBefore = JSON.parse(await pair.b.admin('/stats')).core.notifications;
    for (let i = 0; i < 20; i++) {
      expect((await b.nfs.write(fh, i, Buffer.from('x'))).stat).toBe(Nfs3Stat.NFS3_OK);
      expect((await b.nfs.getattr(fh)).attrs?.size).toBe(i + 1);
    }
    expect((await b.nfs.listAll(await b.mountRoot())).entries.map((e) => e.name)).toContain('f');
    // Within T the dead head is still a target: B's writes keep publishing to it...
    expect(JSON.parse(await pair.b.admin('/stats')).core.notifications).toBeGreaterThan(sentBefore);

    await sleep(2200); // > 2T since A's last access
    expect(await registrations('head-a/nfs')).toBe(0);
    const sentAfter = JSON.parse(await pair.b.admin('/stats')).core.notifications;
    expect((await b.nfs.write(fh, 0, Buffer.from('y'))).stat).toBe(Nfs3Stat.NFS3_OK);
    expect(JSON.parse(await pair.b.admin('/stats')).core.notifications).toBe(sentAfter);
  });
});
