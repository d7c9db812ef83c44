/**
 * The three NFS servers of bench/nfs.ts, each a separate process the bench starts and stops by pid:
 * NFS-Ganesha 4.3 (FSAL_VFS) through the peers' own ganesha-vfs.sh, our gateway from dist/cli,
 * and the peers' rpc-floor.js (a do-nothing answerer: the ceiling for a Node server).
 * Nothing of the peers is copied here: their scripts run from $PEERS, which setup.sh fills.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export interface NfsServer {
  readonly name: string;
  /** `nfs://127.0.0.1/EXPORT?nfsport=P&mountport=M`: the export root, as nfsload wants it. */
  readonly url: string;
  readonly pid: number;
  /** Where the server's stdout/stderr went. */
  readonly log: string;
  stop(): Promise<void>;
}

/** `nfs://…` URL of a file under a server's export root. */
export function fileUrl(server: NfsServer, name: string): string {
  const [base, query] = server.url.split('?');
  return `${base.replace(/\/$/, '')}/${name}?${query}`;
}

/** What the bench needs on the machine, as one message naming the missing packages, or ''. */
export function missingPrerequisites(peersSrc: string): string {
  const lines: string[] = [];
  if (!existsSync(join(peersSrc, 'setup.sh'))) lines.push(`peers' scripts not found at ${peersSrc}`);
  const pkgs = ['nfs-ganesha', 'nfs-ganesha-vfs', 'libnfs-dev', 'libnfs-utils'];
  const installed = (pkg: string) =>
    /^Status: install ok installed$/m.test(spawnSync('dpkg', ['-s', pkg], { encoding: 'utf8' }).stdout ?? '');
  const missing = pkgs.filter((p) => !installed(p));
  if (missing.length) lines.push(`missing Debian packages: apt-get install -y ${missing.join(' ')}`);
  if (spawnSync('sh', ['-c', 'command -v gcc']).status !== 0)
    lines.push('gcc not found: apt-get install -y gcc');
  if (!missing.includes('nfs-ganesha') && spawnSync('sh', ['-c', 'command -v ganesha.nfsd']).status !== 0)
    lines.push('ganesha.nfsd not on PATH although nfs-ganesha is installed');
  return lines.join('\n');
}

/** Copies the peers' configs into `peers` and builds nfsload, nfstool and the rpcbind shim. */
export function setupPeers(peersSrc: string, peers: string): void {
  execFileSync(join(peersSrc, 'setup.sh'), [], { env: { ...process.env, PEERS: peers }, stdio: 'pipe' });
  for (const tool of ['nfsload', 'nfstool'])
    if (!existsSync(join(peers, 'tools', tool))) throw new Error(`setup.sh did not build tools/${tool}`);
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.once('error', () => done(false));
  });
}

async function waitForPort(port: number, what: string, alive: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await accepts(port)) return;
    if (!alive()) throw new Error(`${what} exited before listening on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not listening on ${port} after ${ms} ms`);
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

/** Starts a child with stdout/stderr into `log`; stop() sends `signal`, then SIGKILL after 5 s. */
async function startChild(
  name: string,
  url: string,
  args: string[],
  port: number,
  log: string,
  signal: NodeJS.Signals,
): Promise<NfsServer> {
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort(port, name, alive);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; log ${log}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
  }
  return {
    name,
    url,
    pid: child.pid!,
    log,
    async stop() {
      if (!alive()) return;
      child.kill(signal);
      if (!(await exited(child, 5000))) {
        child.kill('SIGKILL');
        await exited(child, 2000);
      }
    },
  };
}

export const GANESHA_NFS_PORT = 20049;
export const GANESHA_MOUNT_PORT = 20048;

/** NFS-Ganesha through `$PEERS/ganesha-vfs.sh start`, exporting `$PEERS/export1` as /export1. */
export async function startGanesha(peers: string): Promise<NfsServer> {
  for (const p of [GANESHA_NFS_PORT, GANESHA_MOUNT_PORT])
    if (!(await portFree(p)))
      throw new Error(`port ${p} is taken (another NFS-Ganesha running?); Ganesha's config needs it`);
  const script = join(peers, 'ganesha-vfs.sh');
  const env = { ...process.env, PEERS: peers };
  const r = spawnSync(script, ['start'], { env, encoding: 'utf8' });
  const log = join(peers, 'ganesha-vfs', 'ganesha.log');
  if (r.status !== 0)
    throw new Error(`ganesha-vfs.sh start failed: ${r.stderr}\n${readFileSync(log, 'utf8')}`);
  const pid = Number(readFileSync(join(peers, 'ganesha-vfs', 'bgpid'), 'utf8'));
  const stop = async () => {
    spawnSync(script, ['stop'], { env, stdio: 'ignore' });
  };
  try {
    await waitForPort(GANESHA_MOUNT_PORT, 'ganesha', () => existsSync(`/proc/${pid}`));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'ganesha',
    url: `nfs://127.0.0.1/export1?nfsport=${GANESHA_NFS_PORT}&mountport=${GANESHA_MOUNT_PORT}`,
    pid,
    log,
    stop,
  };
}

export interface GatewayOptions {
  root: string;
  exportDir: string;
  port: number;
  log: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

/** Our gateway from dist/cli, exporting `exportDir` as /export1 (SIGINT: it closes and exits 0). */
export function startGateway(o: GatewayOptions): Promise<NfsServer> {
  const cli = join(o.root, 'dist', 'cli', 'upcall-gateway.js');
  const args = [
    ...(o.nodeFlags ?? []),
    cli,
    ...['--port', String(o.port), '--host', '127.0.0.1', '--export', o.exportDir],
    ...['--export-name', '/export1', '--cache-invalidation', 'on', '--admin-port', '-1'],
    ...['--log-level', 'warn'],
    // Ganesha's export says Squash = No_Root_Squash; nfsload runs as root: the same for us.
    '--no-root-squash',
  ];
  const url = `nfs://127.0.0.1/export1?nfsport=${o.port}&mountport=${o.port}`;
  return startChild('ours', url, args, o.port, o.log, 'SIGINT');
}

/** The peers' rpc-floor.js: constant replies for any handle, so nfsload runs it with -n 1. */
export function startFloor(peers: string, port: number, log: string): Promise<NfsServer> {
  const url = `nfs://127.0.0.1/x?nfsport=${port}&mountport=${port}`;
  return startChild('floor', url, [join(peers, 'tools', 'rpc-floor.js'), String(port)], port, log, 'SIGTERM');
}

/** User + system CPU the process has used so far, in µs (0 once it is gone). */
export function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime) in clock ticks; 100 per second on Linux.
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return 0;
  }
}
