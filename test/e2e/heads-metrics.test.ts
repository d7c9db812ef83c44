import { resolveConfig } from '../../cli/config';
import { startHead } from '../../cli/start-head';
import { silentLogger } from '../../gateway/nfs/silent-logger';
import { freshExport, type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { authSysOf, connectRaw } from '../helpers/raw-nfs-client';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/** One sample of a Prometheus text exposition: `name{labels} value`, labels matched as given. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/**
 * GET /metrics on a head's admin port (prom-client text format): what was sent and received by
 * flag, the delivery lag, cache hits/misses/evictions, the Redis link — checked against what the
 * test made happen, on two head processes through Redis and on an in-process head.
 */
describePeer('per-head Prometheus metrics', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  let pair: HeadPair;

  beforeAll(async () => {
    // Exact counts: each head's export watcher would also report the other head's write (the
    // watcher cannot tell another head from another program), one extra SIZE on B.
    pair = await startPair({
      redisUrl: REDIS_URL,
      namespace: testNamespace(),
      dropNamespace,
      watchExport: false,
    });
  });

  afterAll(() => pair?.close());

  test('a write through A shows as sent on A, received (with its lag) and evicted on B', async () => {
    const [a, b] = [await pair.a.client(), await pair.b.client()];
    const fh = (await a.nfs.create(await a.mountRoot(), 'm', 0)).fh!;
    await b.nfs.getattr(fh);
    await b.nfs.getattr(fh);
    await a.nfs.write(fh, 0, Buffer.from('hello'));
    let bText = '';
    const received = () => sample(bText, 'upcall_notifications_received_total', { flag: 'SIZE' });
    for (let i = 0; i < 100 && received() !== 1; i++) bText = await pair.b.admin('/metrics');
    const aText = await pair.a.admin('/metrics');
    expect(sample(aText, 'upcall_notifications_sent_total', { head: 'head-a', flag: 'SIZE' })).toBe(1);
    expect(sample(bText, 'upcall_notifications_received_total', { head: 'head-b', flag: 'SIZE' })).toBe(1);
    expect(sample(bText, 'upcall_delivery_lag_seconds_count', { head: 'head-b' })).toBe(1);
    expect(sample(bText, 'upcall_delivery_lag_seconds_sum', { head: 'head-b' })).toBeLessThan(1);
    expect(sample(bText, 'upcall_cache_hits_total', { kind: 'attrs' })).toBeGreaterThanOrEqual(1);
    expect(sample(bText, 'upcall_cache_misses_total', { kind: 'attrs' })).toBeGreaterThanOrEqual(1);
    expect(sample(bText, 'upcall_cache_evictions_total', { kind: 'attrs' })).toBeGreaterThanOrEqual(1);
    expect(sample(bText, 'upcall_redis_up')).toBe(1);
    expect(sample(bText, 'upcall_redis_events_total', { event: 'gaps' })).toBe(0);
    expect(sample(bText, 'upcall_cache_ttl_seconds')).toBeCloseTo(29.95, 2); // T/2 minus the margin
    expect(sample(bText, 'upcall_subscribed_clients')).toBeGreaterThanOrEqual(1);
    expect(bText).toContain('upcall_flush_all_total');
    expect(bText).toContain('upcall_process_cpu_user_seconds_total');
  });
});

test('an in-process head serves /metrics too, without Redis series', async () => {
  const exp = await freshExport();
  const head = await startHead(
    resolveConfig({
      port: 0,
      adminPort: 0,
      host: '127.0.0.1',
      exportPath: exp.dir,
      upcall: { 'features.cache-invalidation': 'on' },
    }),
    silentLogger(),
  );
  try {
    const c = await connectRaw(head.nfs.port, authSysOf(1000, 1000));
    await c.nfs.getattr(await c.mountRoot());
    await c.close();
    const res = await fetch(`http://127.0.0.1:${head.adminPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(sample(text, 'upcall_cache_misses_total', { head: 'head-1', kind: 'attrs' })).toBe(1);
    expect(sample(text, 'upcall_cache_ttl_seconds')).toBeCloseTo(59.95, 2);
    expect(text).not.toContain('upcall_redis_up');
    expect(sample(text, 'upcall_watcher_window_ms', { head: 'head-1' })).toBe(30); // the default, nothing seen yet
  } finally {
    await head.close();
    await exp.remove();
  }
});
