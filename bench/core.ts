/**
 * Hot paths of upcall-core, against the targets of the core issue:
 *   access() <= 200 ns/call on a 1M-inode table; >= 2M deliveries/s at fan-out 10;
 *   <= 200 B of heap per tracked inode with one client (1M inodes);
 *   no event-loop block over 10 ms while reaping 1M inodes.
 * Run: npm run bench -- core   (node --expose-gc is added by bench/run.js)
 */
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createUpcallCore, UpcallFlags } from '../upcall-core';
import { check, type Row, report } from './harness';

const N = 1_000_000;
const on = { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 } as const;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc (npm run bench does)');
  g();
  g();
}

type KeyKind = 'number' | 'string';

/** Inode numbers (what the gateway uses, one core per export), or fsid:ino strings. */
function keys(n: number, kind: KeyKind = 'number'): (number | string)[] {
  return Array.from({ length: n }, (_, i) =>
    kind === 'number' ? 1_000_000 + i * 7 : `2049:${(1_000_000 + i * 7).toString(36)}`,
  );
}

function heap(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers; // the table's typed arrays live outside the JS heap
}

function memoryPerInode(kind: KeyKind): Row {
  const ks = keys(N, kind);
  gc();
  const before = heap();
  const core = createUpcallCore({ options: on });
  for (const k of ks) core.access('head-1/nfs', k);
  gc();
  const after = heap();
  check(core.stats().trackedInodes === N, 'every inode tracked');
  // String keys are counted as the table's (they would be garbage without it).
  const perInode = (after - before) / N + (kind === 'string' ? measureKeys() : 0);
  core.close();
  const metric = `memory per tracked inode (1 client, 1M inodes, ${kind} keys)`;
  return { bench: 'core', metric, value: perInode, unit: 'B', target: '<= 200', ok: perInode <= 200 };
}

function measureKeys(): number {
  gc();
  const before = heap();
  const ks = keys(N, 'string');
  gc();
  const after = heap();
  check(ks.length === N, 'keys built');
  // Minus the array holding them (8 B per slot), which the table does not need.
  return (after - before) / N - 8;
}

function accessCost(kind: KeyKind): Row {
  const ks = keys(N, kind);
  const core = createUpcallCore({ options: on });
  for (const k of ks) core.access('head-1/nfs', k);
  // Visit in a scattered order so the measurement is not a cache-friendly sequential walk.
  const order = new Uint32Array(4 * N);
  let x = 12345;
  for (let i = 0; i < order.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    order[i] = x % N;
  }
  for (let i = 0; i < N; i++) core.access('head-1/nfs', ks[order[i]]); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < order.length; i++) core.access('head-1/nfs', ks[order[i]]);
  const ns = Number(process.hrtime.bigint() - t0) / order.length;
  check(core.stats().trackedInodes === N && core.stats().clientEntries === N, 'refresh did not add entries');
  core.close();
  const metric = `access() on a 1M-inode table, random order, ${kind} keys`;
  return { bench: 'core', metric, value: ns, unit: 'ns/call', target: '<= 200', ok: ns <= 200 };
}

async function deliveryRate(): Promise<Row> {
  const fanout = 10;
  const inodes = 10_000;
  const core = createUpcallCore({ options: on });
  let delivered = 0;
  for (let c = 0; c < fanout; c++) core.events(`head-${c}/nfs`).subscribe(() => delivered++);
  const ks = keys(inodes);
  for (const k of ks) for (let c = 0; c < fanout; c++) core.access(`head-${c}/nfs`, k);
  const changes = 400_000;
  const batch = 1000; // different inodes per batch, so nothing coalesces
  const flush = () => new Promise<void>((r) => setImmediate(r));
  for (let i = 0; i < 20_000; i++) core.change('writer', { inode: ks[i % inodes], flags: UpcallFlags.SIZE });
  await flush();
  delivered = 0;
  const warm = core.stats();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < changes; i += batch) {
    for (let j = 0; j < batch; j++)
      core.change('writer', { inode: ks[(i + j) % inodes], flags: UpcallFlags.SIZE });
    await flush();
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  check(delivered === changes * fanout, `all ${changes * fanout} deliveries made (got ${delivered})`);
  const st = core.stats();
  check(st.coalesced === warm.coalesced && st.overflowed === warm.overflowed, 'nothing merged or dropped');
  core.close();
  const rate = delivered / s;
  return {
    bench: 'core',
    metric: 'deliveries/s at fan-out 10',
    value: rate,
    unit: 'ev/s',
    target: '>= 2,000,000',
    ok: rate >= 2e6,
  };
}

async function reaperBlock(): Promise<Row[]> {
  const ks = keys(N);
  const core = createUpcallCore({ options: { ...on, 'features.cache-invalidation-timeout': 1 } });
  for (const k of ks) core.access('head-1/nfs', k);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = Date.now();
  while (core.stats().trackedInodes > 0 && Date.now() - t0 < 10_000)
    await new Promise((r) => setTimeout(r, 20));
  h.disable();
  check(core.stats().trackedInodes === 0, 'reaper emptied the table');
  core.close();
  const maxMs = h.max / 1e6;
  return [
    {
      bench: 'core',
      metric: 'max event-loop delay while reaping 1M inodes',
      value: maxMs,
      unit: 'ms',
      target: '<= 10',
      ok: maxMs <= 10,
    },
    {
      bench: 'core',
      metric: 'p99 event-loop delay while reaping 1M inodes',
      value: h.percentile(99) / 1e6,
      unit: 'ms',
    },
  ];
}

/**
 * Each measurement runs in a fresh process, so one part's garbage (a million keys) cannot land
 * as a major GC in the next part's figure.
 */
const PARTS: Record<string, () => Row[] | Promise<Row[]>> = {
  'memory-number': () => [memoryPerInode('number')],
  'access-number': () => [accessCost('number')],
  'memory-string': () => [memoryPerInode('string')],
  'access-string': () => [accessCost('string')],
  delivery: async () => [await deliveryRate()],
  reaper: () => reaperBlock(),
};

async function main(): Promise<void> {
  const part = process.argv[2];
  if (part !== undefined) {
    const rows = await PARTS[part]();
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  const rows: Row[] = [];
  for (const name of Object.keys(PARTS)) {
    const out = execFileSync(process.execPath, ['--expose-gc', __filename, name], { encoding: 'utf8' });
    rows.push(...(JSON.parse(out.trim().split('\n').pop()!) as Row[]));
  }
  report('core', rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
