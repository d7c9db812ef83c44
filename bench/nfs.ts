/**
 * Our NFSv3 gateway side by side with NFS-Ganesha 4.3 (FSAL_VFS), in one run, under one loader
 * (the peers' nfsload), with the peers' rpc-floor.js as the ceiling for a Node server: ops/s,
 * p50 and p99 for each, the ratio us/Ganesha, and each server's CPU per call.
 *
 * - Servers and loader are separate processes; runs alternate between Ganesha and us (the order
 *   flips every run) so both share the machine's noise. The floor runs next to getattr 4x16.
 * - Both exports get nfsload's own fixture (nl.0 … nl.99, 128 B; nl.data, 1 MiB) on disk before
 *   the servers start, so nfsload finds it and writes nothing; before timing, nfs-cat through each
 *   server must return those bytes and GETATTR their size; any nfsload error fails the bench;
 *   after timing the fixture must be untouched.
 * - Needs: apt-get install -y nfs-ganesha nfs-ganesha-vfs libnfs-dev libnfs-utils gcc. Not in CI.
 *
 * Run: npm run bench -- nfs
 * Env: NFS_BENCH_SECS (5) seconds per run; NFS_BENCH_ROUNDS (2) runs per server and workload;
 *      NFS_BENCH_PROFILE=getattr[,read4k…] then profiles our gateway (node --cpu-prof) under each
 *      op at 4x16 and prints the top self-time functions with their TypeScript file:line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { check, type Row, report } from './harness';
import { type CpuProfile, printSummary, summarize } from './lib/cpuprofile';
import { fixtureState, verifyServes, writeFixture } from './lib/nfs-fixture';
import {
  cpuUs,
  freePort,
  missingPrerequisites,
  type NfsServer,
  setupPeers,
  startFloor,
  startGanesha,
  startGateway,
} from './lib/nfs-servers';
import { type NfsloadOp, type NfsloadResult, nfsload } from './lib/nfsload';

const root = join(__dirname, '..', '..');
const peersSrc = join(root, '..', 'shared', 'peers');
const SECS = Number(process.env.NFS_BENCH_SECS ?? 5);
const ROUNDS = Number(process.env.NFS_BENCH_ROUNDS ?? 2);
const PROFILE = (process.env.NFS_BENCH_PROFILE ?? '').replace(/^1$/, 'getattr');
const FILES = 100; // nfsload's default -n; passed explicitly so fixture and loader agree
const WARMUP = 1; // nfsload's default -w
const OPS: readonly NfsloadOp[] = ['getattr', 'lookup', 'read4k', 'mixed'];

interface Workload {
  op: NfsloadOp;
  conns: number;
  depth: number;
  floor?: boolean;
}
const WORKLOADS: Workload[] = [
  { op: 'getattr', conns: 4, depth: 16, floor: true },
  { op: 'lookup', conns: 4, depth: 16 },
  { op: 'read4k', conns: 4, depth: 16 },
  { op: 'mixed', conns: 4, depth: 16 },
  { op: 'getattr', conns: 1, depth: 1 },
];
const label = (w: Workload) => `${w.op} ${w.conns}x${w.depth}`;

interface Sample extends NfsloadResult {
  /** Server CPU per call, µs: its CPU over the whole nfsload run over the calls of warm-up + timing. */
  cpuPerOp: number;
  cpuPct: number;
  load1: number;
}

let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

/** `npm run build` (dist/cli is not part of the bench build); tsc emits even with type errors. */
function build(): void {
  const tsc = join(root, 'node_modules', 'typescript7', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (r.status !== 0) {
    const n = (r.stdout.match(/error TS\d+/g) ?? []).length;
    console.warn(`! npm run build: ${n} type errors in the working tree; tsc emitted dist anyway`);
  }
  check(existsSync(join(root, 'dist', 'cli', 'upcall-gateway.js')), 'npm run build made dist/cli');
}

function run(peers: string, s: NfsServer, w: Workload, files: number): Sample {
  if (interrupted) throw new Error('interrupted');
  const load1 = loadavg()[0];
  const cpu0 = cpuUs(s.pid);
  const t0 = process.hrtime.bigint();
  const r = nfsload(peers, s.url, { op: w.op, conns: w.conns, depth: w.depth, secs: SECS, files });
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = cpuUs(s.pid) - cpu0;
  check(
    r.errors === 0 && r.ops > 0,
    `${s.name} ${label(w)}: nfsload reported ${r.errors} errors, ${r.ops} ops`,
  );
  const sample = {
    ...r,
    cpuPerOp: cpu / (r.ops_per_s * (r.secs + WARMUP)),
    cpuPct: (100 * cpu) / wallUs,
    load1,
  };
  console.log(
    `  ${label(w).padEnd(12)} ${s.name.padEnd(7)} ${r.ops_per_s.toFixed(0).padStart(7)} ops/s` +
      `  p50 ${r.p50_us} µs  p99 ${r.p99_us} µs` +
      `  server cpu ${sample.cpuPct.toFixed(0)}% ${sample.cpuPerOp.toFixed(1)} µs/op  load ${load1.toFixed(2)}`,
  );
  return sample;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const opsOf = (ss: Sample[]) => mean(ss.map((s) => s.ops_per_s));
const latOf = (ss: Sample[]) =>
  `${mean(ss.map((s) => s.p50_us)).toFixed(0)} / ${mean(ss.map((s) => s.p99_us)).toFixed(0)}`;

function rowsFor(w: Workload, side: string, ss: Sample[], withCpu = true): Row[] {
  const m = `${label(w)} ${side}`;
  const rows: Row[] = [
    { bench: 'nfs', metric: `${m} ops/s`, value: opsOf(ss), unit: 'ops/s' },
    { bench: 'nfs', metric: `${m} p50`, value: mean(ss.map((s) => s.p50_us)), unit: 'us' },
    { bench: 'nfs', metric: `${m} p99`, value: mean(ss.map((s) => s.p99_us)), unit: 'us' },
  ];
  if (withCpu)
    rows.push({
      bench: 'nfs',
      metric: `${m} server cpu/op`,
      value: mean(ss.map((s) => s.cpuPerOp)),
      unit: 'us',
    });
  return rows;
}

/** CSV rows and the side-by-side table, from the samples of every run. */
function summarise(samples: Map<string, Sample[]>): {
  rows: Row[];
  table: Record<string, string | number>[];
} {
  const rows: Row[] = [];
  const table: Record<string, string | number>[] = [];
  for (const w of WORKLOADS) {
    const g = samples.get(`${label(w)} ganesha`)!;
    const u = samples.get(`${label(w)} ours`)!;
    const f = samples.get(`${label(w)} floor`);
    const ratio = opsOf(u) / opsOf(g);
    const perRound = u.map((s, i) => s.ops_per_s / g[i].ops_per_s);
    rows.push(...rowsFor(w, 'ganesha', g), ...rowsFor(w, 'ours', u));
    const metric = `${label(w)} ours/ganesha ops/s`;
    rows.push({ bench: 'nfs', metric, value: ratio, unit: 'x', target: '>= 1', ok: ratio >= 1 });
    if (f) {
      rows.push(...rowsFor(w, 'floor', f, false));
      rows.push({
        bench: 'nfs',
        metric: `${label(w)} ours/floor ops/s`,
        value: opsOf(u) / opsOf(f),
        unit: 'x',
      });
    }
    const cpu = (ss: Sample[]) => mean(ss.map((s) => s.cpuPerOp)).toFixed(1);
    table.push({
      workload: label(w),
      'ours ops/s': Math.round(opsOf(u)),
      'ours p50/p99 µs': latOf(u),
      'ganesha ops/s': Math.round(opsOf(g)),
      'ganesha p50/p99 µs': latOf(g),
      'ours/ganesha': `${ratio.toFixed(2)} (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`,
      'cpu µs/op ours/ganesha': `${cpu(u)} / ${cpu(g)}`,
      'floor ops/s': f ? Math.round(opsOf(f)) : '',
      'floor p50/p99 µs': f ? latOf(f) : '',
    });
  }
  const load = mean([...samples.values()].flat().map((s) => s.load1));
  rows.push({ bench: 'nfs', metric: 'load average (1 min) mean at run starts', value: load, unit: 'load' });
  return { rows, table };
}

async function profileOurs(peers: string, exportDir: string, ops: NfsloadOp[]): Promise<void> {
  for (const op of ops) {
    const dir = join(peers, 'prof', op);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const log = join(peers, `ours-prof-${op}.log`);
    const nodeFlags = ['--cpu-prof', '--cpu-prof-dir', dir];
    const gw = await startGateway({ root, exportDir, port, log, nodeFlags });
    let r: NfsloadResult;
    try {
      r = nfsload(peers, gw.url, { op, conns: 4, depth: 16, secs: SECS, files: FILES });
    } finally {
      await gw.stop(); // SIGINT: the gateway closes and exits, and node writes the profile
    }
    check(r.errors === 0, `profiled ${op}: no nfsload errors`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    check(file !== undefined, `node --cpu-prof wrote a profile into ${dir}`);
    console.log(`\n== our gateway under ${op} 4x16 (${r.ops_per_s} ops/s), profile ${join(dir, file!)}`);
    const profile = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as CpuProfile;
    printSummary(summarize(profile, root), 20);
  }
}

async function main(): Promise<void> {
  const missing = missingPrerequisites(peersSrc);
  if (missing) {
    console.error(`bench nfs cannot run on this machine:\n${missing}`);
    process.exitCode = 1;
    return;
  }
  const profileOps = PROFILE ? (PROFILE.split(',') as NfsloadOp[]) : [];
  check(
    profileOps.every((op) => OPS.includes(op)),
    `NFS_BENCH_PROFILE names ops among ${OPS.join(', ')}`,
  );
  build();
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  if (dirty)
    console.warn(`! working tree has ${dirty.split('\n').length} uncommitted paths; CSV sha is HEAD's`);
  const peers = mkdtempSync('/tmp/upcall-bench-nfs-');
  console.log(`scratch (peers' copies, exports, logs): ${peers}`);
  setupPeers(peersSrc, peers);
  const exports = { ganesha: join(peers, 'export1'), ours: join(peers, 'ours-export') };
  const before = { ganesha: writeFixture(exports.ganesha, FILES), ours: writeFixture(exports.ours, FILES) };

  const servers: NfsServer[] = [];
  const samples = new Map<string, Sample[]>();
  const add = (key: string, s: Sample) => samples.set(key, [...(samples.get(key) ?? []), s]);
  const load0 = loadavg();
  try {
    const ganesha = await startGanesha(peers);
    servers.push(ganesha);
    const ourPort = await freePort();
    const ours = await startGateway({
      root,
      exportDir: exports.ours,
      port: ourPort,
      log: join(peers, 'ours.log'),
    });
    servers.push(ours);
    const floor = await startFloor(peers, await freePort(), join(peers, 'floor.log'));
    servers.push(floor);
    verifyServes(peers, ganesha, exports.ganesha, FILES);
    verifyServes(peers, ours, exports.ours, FILES);

    console.log(`${ROUNDS} rounds x ${WORKLOADS.length} workloads, ${SECS} s + ${WARMUP} s warm-up per run`);
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`round ${round + 1}`);
      WORKLOADS.forEach((w, i) => {
        const order = (round + i) % 2 === 0 ? [ganesha, ours] : [ours, ganesha];
        for (const s of order) add(`${label(w)} ${s.name}`, run(peers, s, w, FILES));
        if (w.floor) add(`${label(w)} floor`, run(peers, floor, w, 1));
      });
    }
    check(
      fixtureState(exports.ganesha) === before.ganesha && fixtureState(exports.ours) === before.ours,
      'nfsload found the fixture through both servers and wrote nothing',
    );
  } finally {
    for (const s of servers.reverse()) await s.stop();
  }
  const load1 = loadavg();

  const { rows, table } = summarise(samples);
  report('nfs', rows);
  console.log(
    `\nours vs NFS-Ganesha 4.3 (FSAL_VFS), same nfsload, ${ROUNDS} alternating runs of ${SECS} s each`,
  );
  console.table(table);
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`load average before ${fmt(load0)}, after ${fmt(load1)} (2 cores)`);

  if (profileOps.length) await profileOurs(peers, exports.ours, profileOps);
  else rmSync(peers, { recursive: true, force: true });
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
