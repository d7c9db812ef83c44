/**
 * Our SMB2/3 gateway side by side with Samba 4.17 (the peers' smb.conf), in one run, under the
 * same real clients: smbclient get and put of a 256 MiB file (MB/s, smbclient's own transfer
 * rate), `ls` of a 1,000-file directory (listings/s), smbtorture's smb2.bench.echo (ECHO/s) and
 * smb2.bench.path-contention-shared (CREATE+CLOSE pairs/s of one path from 4 connections); for
 * each the ratio ours/Samba and each server's CPU.
 *
 * - Servers and clients are separate processes. Each workload runs on both servers back to back
 *   (the order flips every time), REPS times; the table shows the median and the per-rep range.
 * - Both shares get the same data on disk before the servers start (a copy of one random file
 *   and of one directory). Before timing, a get through each server must return the file's exact
 *   bytes; every put must leave a file of the right size (and, once, the right bytes).
 * - Needs: apt-get install -y samba smbclient samba-testsuite. Not in CI (benchmarks are not tests).
 *
 * Run: npm run bench -- smb
 * Env: SMB_BENCH_SECS (5) seconds per smbtorture run; SMB_BENCH_REPS (3); SMB_BENCH_MIB (256) size
 *      of the large file; SMB_BENCH_PROFILE=get[,put,echo,open,ls] then profiles our gateway
 *      (node --cpu-prof) under each workload and prints the top self-time functions;
 *      SMB_BENCH_ONLY=get,put runs only the workloads named.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { check, type Row, report } from './harness';
import { type CpuProfile, printSummary, summarize } from './lib/cpuprofile';
import { getFile, listRate, putFile, tortureBench } from './lib/smb-load';
import { missingSmbPrerequisites, type SmbServer, startOurs, startSamba, treeCpuUs } from './lib/smb-servers';

const root = join(__dirname, '..', '..');
/** The peers' scripts: ../shared/peers beside the checkout (or beside a worktree's parent). */
const peersSrc =
  process.env.PEERS_SRC ??
  [join(root, '..', 'shared', 'peers'), join(root, '..', '..', 'shared', 'peers')].find((p) =>
    existsSync(join(p, 'samba')),
  ) ??
  join(root, '..', 'shared', 'peers');
const SECS = Number(process.env.SMB_BENCH_SECS ?? 5);
const REPS = Number(process.env.SMB_BENCH_REPS ?? 3);
const MIB = Number(process.env.SMB_BENCH_MIB ?? 256);
const PROFILE = process.env.SMB_BENCH_PROFILE ?? '';
const BIG = 'big.bin';
const DIR = 'd1000';
const DIR_FILES = 1000;
const LISTINGS = 20;

interface Workload {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** One measurement against `s`: the rate. `scratch` holds the local copies. */
  run(s: SmbServer, scratch: string): Promise<number>;
}

const ALL_WORKLOADS: Workload[] = [
  {
    key: 'get',
    label: `get ${MIB} MiB`,
    unit: 'MB/s',
    run: (s, scratch) => getFile(s, BIG, '/dev/null', scratch),
  },
  {
    key: 'put',
    label: `put ${MIB} MiB`,
    unit: 'MB/s',
    async run(s, scratch) {
      // Over the previous run's copy (smbclient opens it OVERWRITE_IF: truncated, then written).
      // Not removed on disk in between: a change behind the gateway's back is another workload.
      const r = await putFile(s, BIG, 'up.bin', scratch);
      check(statSync(join(s.dir, 'up.bin')).size === MIB << 20, `${s.name}: put left ${MIB} MiB on disk`);
      return r;
    },
  },
  {
    key: 'ls',
    label: `ls of ${DIR_FILES} files`,
    unit: 'listings/s',
    run: (s, scratch) => listRate(s, DIR, LISTINGS, /^f\d+\.txt$/, DIR_FILES, scratch),
  },
  {
    key: 'echo',
    label: 'smb2.bench.echo (4 conns)',
    unit: 'ops/s',
    run: async (s, scratch) => (await tortureBench(s, 'echo', 'echo', SECS, scratch)).perSecond,
  },
  {
    key: 'open',
    label: 'path-contention-shared open+close (4 conns)',
    unit: 'pairs/s',
    run: async (s, scratch) =>
      (await tortureBench(s, 'path-contention-shared', 'open', SECS, scratch)).perSecond,
  },
];

/** SMB_BENCH_ONLY=get,put runs only those (while working on one path). */
const ONLY = (process.env.SMB_BENCH_ONLY ?? '').split(',').filter(Boolean);
const WORKLOADS = ONLY.length ? ALL_WORKLOADS.filter((w) => ONLY.includes(w.key)) : ALL_WORKLOADS;

interface Sample {
  readonly rate: number;
  /** Server CPU over the run's wall time, % of one core (Samba: smbd and its per-connection children). */
  readonly cpuPct: number;
  readonly load1: number;
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

/** A random file of `mib` MiB at `path`, written in 1 MiB pieces. */
function writeRandom(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, randomBytes(1 << 20));
  } finally {
    closeSync(fd);
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The same data in every served directory: the large file and the 1,000-file directory. */
function writeData(scratch: string, dirs: string[]): string {
  const big = join(scratch, BIG);
  writeRandom(big, MIB);
  for (const d of dirs) {
    mkdirSync(join(d, DIR), { recursive: true });
    copyFileSync(big, join(d, BIG));
    for (let i = 1; i <= DIR_FILES; i++) copyFileSync(join(scratch, 'small.txt'), join(d, DIR, `f${i}.txt`));
  }
  return sha(big);
}

async function verify(s: SmbServer, scratch: string, want: string): Promise<void> {
  const local = join(scratch, `check-${s.name}.bin`);
  await getFile(s, BIG, local, scratch);
  check(sha(local) === want, `${s.name}: get returned the file's exact bytes`);
  rmSync(local);
  await putFile(s, BIG, 'up.bin', scratch);
  check(sha(join(s.dir, 'up.bin')) === want, `${s.name}: put stored the file's exact bytes`);
}

async function measure(w: Workload, s: SmbServer, scratch: string): Promise<Sample> {
  if (interrupted) throw new Error('interrupted');
  const load1 = loadavg()[0];
  const cpu0 = treeCpuUs(s.pid);
  const t0 = performance.now();
  const rate = await w.run(s, scratch);
  // Samba's per-connection children are reaped into its cutime a moment after they exit.
  await new Promise((r) => setTimeout(r, 200));
  const cpuPct = (100 * (treeCpuUs(s.pid) - cpu0)) / 1000 / (performance.now() - t0);
  console.log(
    `  ${w.label.padEnd(44)} ${s.name.padEnd(6)} ${rate.toFixed(1).padStart(9)} ${w.unit.padEnd(11)}` +
      ` server cpu ${cpuPct.toFixed(0)}%  load ${load1.toFixed(2)}`,
  );
  return { rate, cpuPct, load1 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summarise(samples: Map<string, Sample[]>) {
  const rows: Row[] = [];
  const table: Record<string, string | number>[] = [];
  for (const w of WORKLOADS) {
    const o = samples.get(`${w.key} ours`)!;
    const s = samples.get(`${w.key} samba`)!;
    const perRep = o.map((x, i) => x.rate / s[i]!.rate);
    const ratio = median(o.map((x) => x.rate)) / median(s.map((x) => x.rate));
    for (const [side, xs] of [
      ['ours', o],
      ['samba', s],
    ] as const) {
      rows.push({
        bench: 'smb',
        metric: `${w.label} ${side}`,
        value: median(xs.map((x) => x.rate)),
        unit: w.unit,
      });
      rows.push({
        bench: 'smb',
        metric: `${w.label} ${side} server cpu`,
        value: median(xs.map((x) => x.cpuPct)),
        unit: '% of a core',
      });
    }
    rows.push({
      bench: 'smb',
      metric: `${w.label} ours/samba`,
      value: ratio,
      unit: 'x',
      target: '>= 1',
      ok: ratio >= 1,
    });
    const cpu = (xs: Sample[]) => median(xs.map((x) => x.cpuPct)).toFixed(0);
    table.push({
      workload: w.label,
      unit: w.unit,
      ours: Number(median(o.map((x) => x.rate)).toPrecision(4)),
      samba: Number(median(s.map((x) => x.rate)).toPrecision(4)),
      'ours/samba': `${ratio.toFixed(2)} (${Math.min(...perRep).toFixed(2)}–${Math.max(...perRep).toFixed(2)})`,
      'server cpu % ours/samba': `${cpu(o)} / ${cpu(s)}`,
    });
  }
  const loads = [...samples.values()].flat().map((x) => x.load1);
  rows.push({
    bench: 'smb',
    metric: 'load average (1 min) median at run starts',
    value: median(loads),
    unit: 'load',
  });
  return { rows, table, loads };
}

async function profileOurs(scratch: string, keys: string[]): Promise<void> {
  for (const key of keys) {
    const w = ALL_WORKLOADS.find((x) => x.key === key)!;
    const dir = join(scratch, 'prof', key);
    mkdirSync(dir, { recursive: true });
    const s = await startOurs({ root, scratch, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir] });
    // Several runs, so the profile is the workload's and not the gateway's start.
    const rates: number[] = [];
    try {
      for (let i = 0; i < 3; i++) rates.push(await w.run(s, scratch));
    } finally {
      await s.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    check(file !== undefined, `node --cpu-prof wrote a profile into ${dir}`);
    console.log(
      `\n== our gateway under ${w.label} x3 (${rates.map((r) => r.toFixed(1)).join(', ')} ${w.unit}),` +
        ` profile ${join(dir, file!)}`,
    );
    printSummary(summarize(JSON.parse(readFileSync(join(dir, file!), 'utf8')) as CpuProfile, root), 25);
  }
}

async function main(): Promise<void> {
  const missing = missingSmbPrerequisites(peersSrc);
  if (missing) {
    console.error(`bench smb cannot run on this machine:\n${missing}`);
    process.exitCode = 1;
    return;
  }
  const profileKeys = PROFILE ? PROFILE.split(',') : [];
  check(
    profileKeys.every((k) => ALL_WORKLOADS.some((w) => w.key === k)),
    `SMB_BENCH_PROFILE names workloads among ${WORKLOADS.map((w) => w.key).join(', ')}`,
  );
  build();
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  if (dirty)
    console.warn(`! working tree has ${dirty.split('\n').length} uncommitted paths; CSV sha is HEAD's`);
  const scratch = mkdtempSync('/tmp/upcall-bench-smb-');
  console.log(`scratch (Samba's config, both shares, logs): ${scratch}`);
  const shares = { samba: join(scratch, 'share'), ours: join(scratch, 'ours') };
  writeFileSync(join(scratch, 'small.txt'), 'a small file\n');
  const want = writeData(scratch, [shares.samba, shares.ours]);

  const servers: SmbServer[] = [];
  const samples = new Map<string, Sample[]>();
  const add = (key: string, s: Sample) => samples.set(key, [...(samples.get(key) ?? []), s]);
  const load0 = loadavg();
  try {
    const samba = await startSamba(peersSrc, scratch);
    servers.push(samba);
    const ours = await startOurs({ root, scratch, dir: shares.ours });
    servers.push(ours);
    for (const s of servers) await verify(s, scratch, want);
    console.log(`${REPS} reps x ${WORKLOADS.length} workloads, each pair back to back, smbtorture ${SECS} s`);
    for (let rep = 0; rep < REPS; rep++) {
      console.log(`rep ${rep + 1}`);
      for (const [i, w] of WORKLOADS.entries()) {
        const order = (rep + i) % 2 === 0 ? [samba, ours] : [ours, samba];
        for (const s of order) add(`${w.key} ${s.name}`, await measure(w, s, scratch));
      }
    }
  } finally {
    for (const s of servers.reverse()) await s.stop();
  }
  const load1 = loadavg();
  if (REPS > 0) {
    const { rows, table } = summarise(samples);
    report('smb', rows);
    console.log(`\nours vs Samba 4.17 (peers' smb.conf), same clients, median of ${REPS} back-to-back pairs`);
    console.table(table);
    const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(`load average before ${fmt(load0)}, after ${fmt(load1)} (2 cores)`);
  }

  if (profileKeys.length) await profileOurs(scratch, profileKeys);
  else rmSync(scratch, { recursive: true, force: true });
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
