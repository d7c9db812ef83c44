/**
 * The two SMB servers of bench/smb.ts, each a separate process the bench starts and stops by pid:
 * Samba 4.17 (`smbd`) with the peers' own smb.conf (../shared/peers/samba/, copied with @PEERS@
 * filled in and its port moved to a free one, as its smbd.sh would start it), and our gateway
 * from dist/cli serving SMB beside NFS. Both log on the peers' test user root / Passw0rd! and
 * serve a directory the bench fills first.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './nfs-servers';

export const SMB_USER = 'root';
export const SMB_PASSWORD = 'Passw0rd!';

export interface SmbServer {
  readonly name: 'ours' | 'samba';
  readonly port: number;
  /** The directory the share serves, on disk. */
  readonly dir: string;
  /** The main process (Samba forks one more per connection: see `cpuUs` in smb.ts). */
  readonly pid: number;
  readonly log: string;
  stop(): Promise<void>;
}

/** What the bench needs on the machine, as one message naming the missing packages, or ''. */
export function missingSmbPrerequisites(peersSrc: string): string {
  const lines: string[] = [];
  if (!existsSync(join(peersSrc, 'samba', 'smb.conf'))) lines.push(`peers' samba/ not found at ${peersSrc}`);
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  const need: [string, string][] = [
    ['smbd', 'samba'],
    ['smbpasswd', 'samba-common-bin'],
    ['smbclient', 'smbclient'],
    ['smbtorture', 'samba-testsuite'],
  ];
  const missing = need.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg);
  if (missing.length) lines.push(`missing Debian packages: apt-get install -y ${missing.join(' ')}`);
  return lines.join('\n');
}

async function waitForPort(
  port: number,
  what: string,
  alive: () => boolean,
  log: string,
  ms = 20_000,
): Promise<void> {
  const accepts = () =>
    new Promise<boolean>((done) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
    });
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await accepts()) return;
    if (!alive()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
  throw new Error(`${what} not listening on ${port}; log ${log}:\n${tail}`);
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const t = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      done(true);
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await exited(child, 10_000))) {
    child.kill('SIGKILL');
    await exited(child, 2000);
  }
}

/**
 * smbd with the peers' smb.conf under `scratch/samba`, sharing `scratch/share`, on a free port
 * (the peers' 20445 may be in use by another session's Samba). The same command line as the
 * peers' smbd.sh; its on-demand RPC helpers (samba-dcerpcd, rpcd_*) detach, so stop() ends them
 * by the pids that name this run's own config file.
 */
export async function startSamba(peersSrc: string, scratch: string): Promise<SmbServer> {
  const d = join(scratch, 'samba');
  mkdirSync(join(d, 'log'), { recursive: true });
  mkdirSync(join(d, 'private'), { recursive: true });
  const dir = join(scratch, 'share');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = readFileSync(join(peersSrc, 'samba', 'smb.conf'), 'utf8')
    .replaceAll('@PEERS@', scratch)
    .replace(/^(\s*smb ports\s*=\s*)\d+/m, `$1${port}`);
  const confPath = join(d, 'smb.conf');
  writeFileSync(confPath, conf);
  if (!existsSync(join(d, 'private', 'passdb.tdb')))
    execFileSync('smbpasswd', ['-c', confPath, '-s', '-a', SMB_USER], {
      input: `${SMB_PASSWORD}\n${SMB_PASSWORD}\n`,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  const log = join(d, 'log', 'smbd.stdout');
  const fd = openSync(log, 'a');
  // Its own process group: smbd, told --no-process-group, signals the group it is in when it
  // ends, and that must not be this bench's.
  const child = spawn('smbd', ['--foreground', '--no-process-group', '-s', confPath], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort(port, 'smbd', alive, log);
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  return {
    name: 'samba',
    port,
    dir,
    pid: child.pid!,
    log,
    async stop() {
      await stopChild(child, 'SIGTERM');
      for (const p of sambaHelpers(confPath)) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

/**
 * Pids of Samba's detached RPC helpers (samba-dcerpcd, rpcd_*) started for this run: their
 * command line names this run's own config file. Only processes whose name is one of Samba's
 * are taken, so nothing else that mentions the path (a shell, this bench) is ever signalled.
 */
function sambaHelpers(confPath: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (!/^(samba-dcerpcd|rpcd_|smbd)/.test(comm)) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(`--configfile=${confPath}`))
        out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export interface OurSmbOptions {
  readonly root: string;
  readonly scratch: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** Directory to serve (default scratch/ours). */
  readonly dir?: string;
}

/**
 * Our gateway from dist/cli with SMB on a free port (NFS on another, unused here), upcalls on,
 * root squash off and the SMB user root mapped to uid 0 — as Samba's share serves root's files
 * as root. SIGINT: it closes and exits (and node writes a --cpu-prof profile).
 */
export async function startOurs(o: OurSmbOptions): Promise<SmbServer> {
  const dir = o.dir ?? join(o.scratch, 'ours');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = {
    exportPath: dir,
    port: await freePort(),
    smbPort: port,
    host: '127.0.0.1',
    adminPort: -1,
    rootSquash: false,
    logLevel: 'warn',
    upcall: { 'features.cache-invalidation': true },
    smbUsers: [{ user: SMB_USER, password: SMB_PASSWORD, uid: 0, gid: 0 }],
  };
  const confPath = join(o.scratch, `ours-${port}.json`);
  writeFileSync(confPath, JSON.stringify(config));
  const log = join(o.scratch, `ours-${port}.log`);
  const fd = openSync(log, 'a');
  const cli = join(o.root, 'dist', 'cli', 'upcall-gateway.js');
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), cli, '-c', confPath], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort(port, 'our gateway', alive, log);
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  return { name: 'ours', port, dir, pid: child.pid!, log, stop: () => stopChild(child, 'SIGINT') };
}

/** User + system CPU of `pid` and its live children so far, in µs (Samba forks per connection). */
export function treeCpuUs(pid: number): number {
  const pids = [pid];
  const kids = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  for (const k of kids.split('\n').filter(Boolean)) pids.push(Number(k));
  let us = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime (fields 14–17 of proc(5)) in clock ticks, 100 per second.
      us += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10_000;
    } catch {
      // exited meanwhile
    }
  }
  return us;
}
