/**
 * The load generators of bench/smb.ts, all real clients run as they ship: `smbclient` (get and
 * put of one large file, repeated `ls` of a large directory) and smbtorture's own load tests
 * (smb2.bench.echo, smb2.bench.path-contention-shared). Each returns a rate and throws with
 * the client's output when the client reports an error: a fast failure is no result.
 */
import { spawn } from 'node:child_process';
import { SMB_PASSWORD, SMB_USER, type SmbServer } from './smb-servers';

interface Exec {
  readonly code: number;
  readonly out: string;
  readonly ms: number;
}

/**
 * Runs a client in its own process group (`detached`): smbtorture signals its whole process
 * group when it finishes, which would otherwise take this bench down with it.
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Exec> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 });
    });
  });
}

const target = (s: SmbServer) => [
  '//127.0.0.1/share',
  '-p',
  String(s.port),
  '-U',
  `${SMB_USER}%${SMB_PASSWORD}`,
];

/** `smbclient -c "<commands>"` in `cwd`; throws on a non-zero exit or any NT_STATUS_ it prints. */
export async function smbclient(s: SmbServer, commands: string, cwd: string): Promise<Exec> {
  const r = await run('smbclient', [...target(s), '-c', commands], cwd, 300_000);
  if (r.code !== 0 || /NT_STATUS_/.test(r.out))
    throw new Error(
      `${s.name}: smbclient -c '${commands.slice(0, 80)}' exit ${r.code}:\n${r.out.slice(-2000)}`,
    );
  return r;
}

/**
 * smbclient's own transfer rate, "(average N KiloBytes/sec)" for get and "(average N kb/s)" for
 * put — both KiB per second of the transfer itself (no connect or logon) — in MB/s (10^6 B/s).
 */
function transferMBps(out: string, what: string): number {
  const m = /\(average ([\d.]+) (?:KiloBytes\/sec|kb\/s)\)/.exec(out);
  if (!m) throw new Error(`no transfer rate in smbclient's output of ${what}:\n${out.slice(-1000)}`);
  return (Number(m[1]) * 1024) / 1e6;
}

/** `get NAME LOCAL`: MB/s. */
export async function getFile(s: SmbServer, name: string, local: string, cwd: string): Promise<number> {
  const r = await smbclient(s, `get ${name} ${local}`, cwd);
  return transferMBps(r.out, `get ${name}`);
}

/** `put LOCAL NAME`: MB/s. */
export async function putFile(s: SmbServer, local: string, name: string, cwd: string): Promise<number> {
  const r = await smbclient(s, `put ${local} ${name}`, cwd);
  return transferMBps(r.out, `put ${name}`);
}

/** Entries an smbclient `ls` printed whose names match `re`. */
export function listedNames(out: string, re: RegExp): number {
  let n = 0;
  for (const line of out.split('\n')) {
    const m = /^ {2}(\S+)\s+[DAHSRN]*\s+\d+\s+\w{3} \w{3}/.exec(line);
    if (m && re.test(m[1]!)) n++;
  }
  return n;
}

/**
 * Listings per second of `dir` (QUERY_DIRECTORY until STATUS_NO_MORE_FILES, with smbclient's
 * own open and close around it): one smbclient process lists it once, another `times` + 1
 * times; the difference of their wall times over `times` leaves out start, connect and logon.
 * Each listing must show `expect` names matching `re`.
 */
export async function listRate(
  s: SmbServer,
  dir: string,
  times: number,
  re: RegExp,
  expect: number,
  cwd: string,
): Promise<number> {
  const cmd = (n: number) => Array.from({ length: n }, () => `ls ${dir}\\*`).join('; ');
  const one = await smbclient(s, cmd(1), cwd);
  const many = await smbclient(s, cmd(times + 1), cwd);
  const got = listedNames(many.out, re);
  if (got !== expect * (times + 1))
    throw new Error(`${s.name}: ${times + 1} listings of ${dir} showed ${got} names, want ${expect} each`);
  return times / ((many.ms - one.ms) / 1000);
}

export interface TortureRate {
  /** Mean of the per-second rates smbtorture printed, the first second left out (connect, warm-up). */
  readonly perSecond: number;
  /** Mean latency (s) over the same seconds. */
  readonly avgLatency: number;
  readonly seconds: number;
}

/**
 * smbtorture's load test `smb2.bench.<test>` for `secs` seconds with its defaults (4 connections,
 * one request in flight each); the rate of `counter` (echo, open) from its per-second lines
 * `N second: counter[num/s=…,avslat=…]`.
 */
export async function tortureBench(
  s: SmbServer,
  test: string,
  counter: string,
  secs: number,
  cwd: string,
): Promise<TortureRate> {
  const args = [...target(s), `--option=torture:timelimit=${secs}`, `smb2.bench.${test}`];
  const r = await run('smbtorture', args, cwd, (secs + 60) * 1000);
  if (r.code !== 0 || !new RegExp(`^success: ${test}$`, 'm').test(r.out))
    throw new Error(`${s.name}: smbtorture smb2.bench.${test} exit ${r.code}:\n${r.out.slice(-2000)}`);
  const re = new RegExp(`([\\d.]+) second: ${counter}\\[num/s=(\\d+),avslat=([\\d.]+)`, 'g');
  const rates: number[] = [];
  const lats: number[] = [];
  for (const m of r.out.matchAll(re)) {
    if (Number(m[1]) <= 1) continue;
    rates.push(Number(m[2]));
    lats.push(Number(m[3]));
  }
  if (rates.length === 0)
    throw new Error(`${s.name}: no per-second ${counter} rates:\n${r.out.slice(-1000)}`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { perSecond: mean(rates), avgLatency: mean(lats), seconds: rates.length };
}
