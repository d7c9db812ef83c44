/**
 * Gateway heads as separate processes (the real `upcall-gateway` binary, built by
 * gateway-process.ts), several over one export directory, coherent through one Redis — what
 * DESIGN "Several gateway heads" describes. Each head gets its own port and admin port; all heads
 * of one test share a key namespace unique to the run.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchSource } from '../../adapters/watcher/watch-switch';
import { ensureGatewayBuilt, type GatewayProcess, spawnGateway } from './gateway-process';
import { authSysOf, connectRaw, type RawNfsClient } from './raw-nfs-client';
import { dropNamespace, REDIS_URL, testNamespace } from './redis-peer';
import { testWatchSource } from './watch-source';

export interface HeadOptions {
  readonly headId: string;
  readonly exportPath: string;
  readonly redisUrl?: string;
  readonly namespace?: string;
  /** features.cache-invalidation. Default on. */
  readonly invalidation?: boolean;
  /** features.cache-invalidation-timeout, s. Default 60. */
  readonly timeoutS?: number;
  /** Metadata cache lifetime, ms. Default 60,000 (so only an upcall can make it drop in time). */
  readonly cacheTtlMs?: number;
  /** Fixed port (restart tests); default a free one. */
  readonly port?: number;
  /** The export watcher (default on); off where a test counts upcalls exactly. */
  readonly watchExport?: boolean;
  /** What reads inotify for the watcher (default: UPCALL_TEST_WATCH_SOURCE, else the gateway's). */
  readonly watchSource?: WatchSource;
  /** Serve SMB too (port chosen by the system), with the config file at this path (users, shares). */
  readonly smbConfig?: string;
  /** More upcall-gateway flags, appended as given. */
  readonly args?: readonly string[];
}

export interface HeadProcess {
  readonly id: string;
  readonly proc: GatewayProcess;
  readonly port: number;
  readonly url: string;
  readonly adminPort: number;
  /** The SMB port when started with `smbConfig`. */
  readonly smbPort?: number;
  /** Fetches a path of the admin endpoint (`/stats`, `/metrics`). */
  admin(path: string): Promise<string>;
  /** A raw NFS client (our own RPC client) connected to this head, as uid/gid 1000 unless told. */
  client(id?: { uid: number; gid: number }): Promise<RawNfsClient>;
  /** SIGTERM and wait (graceful), or SIGKILL with `hard`. */
  stop(hard?: boolean): Promise<void>;
}

export function headArgs(o: HeadOptions): string[] {
  const args = [
    '--export',
    o.exportPath,
    '--host',
    '127.0.0.1',
    '--port',
    String(o.port ?? 0),
    '--admin-port',
    '0',
    '--head-id',
    o.headId,
    '--cache-ttl',
    String(o.cacheTtlMs ?? 60_000),
    '--cache-invalidation',
    o.invalidation === false ? 'off' : 'on',
    '--cache-invalidation-timeout',
    String(o.timeoutS ?? 60),
  ];
  if (o.redisUrl) args.push('--redis', o.redisUrl);
  if (o.namespace) args.push('--redis-namespace', o.namespace);
  if (o.watchExport === false) args.push('--no-watch-export');
  const source = o.watchSource ?? testWatchSource();
  if (source) args.push('--watch-source', source);
  if (o.smbConfig) args.push('--smb-port', '0', '--config', o.smbConfig);
  args.push(...(o.args ?? []));
  return args;
}

export async function startHeadProcess(o: HeadOptions): Promise<HeadProcess> {
  ensureGatewayBuilt();
  const proc = spawnGateway(headArgs(o));
  let ready: Record<string, unknown>;
  try {
    ready = await proc.line((l) => l.message === 'upcall gateway ready', `head ${o.headId} ready`, 20_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const url = String(ready.url);
  const port = Number(new URL(url.replace(/^nfs:/, 'http:')).searchParams.get('nfsport'));
  const adminPort = Number(String(ready.admin).split(':').pop());
  const smb = ready.smb as { port?: number } | string;
  const clients: RawNfsClient[] = [];
  return {
    id: o.headId,
    proc,
    port,
    url,
    adminPort,
    ...(typeof smb === 'object' && smb.port !== undefined ? { smbPort: smb.port } : {}),
    async admin(path) {
      const res = await fetch(`http://127.0.0.1:${adminPort}${path}`);
      return res.text();
    },
    async client(id = { uid: 1000, gid: 1000 }) {
      const c = await connectRaw(port, authSysOf(id.uid, id.gid));
      clients.push(c);
      return c;
    },
    async stop(hard = false) {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      }
      await proc.exited;
    },
  };
}

/** A fresh export directory anyone may write into (uid 1000 creates files in it). */
export async function freshExport(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-heads-'));
  await chmod(dir, 0o777);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface HeadPair {
  readonly a: HeadProcess;
  readonly b: HeadProcess;
  readonly exportPath: string;
  readonly namespace: string | undefined;
  close(): Promise<void>;
}

/** Heads A and B over one fresh export; through Redis unless `redisUrl` is left out. */
export async function startPair(
  o: Omit<HeadOptions, 'headId' | 'exportPath'> & { dropNamespace?: (ns: string) => Promise<void> },
): Promise<HeadPair> {
  const exp = await freshExport();
  const started = await Promise.allSettled(
    ['head-a', 'head-b'].map((headId) => startHeadProcess({ ...o, headId, exportPath: exp.dir })),
  );
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((h) => h.stop()));
    await exp.remove();
    throw failed.reason;
  }
  const [a, b] = ok;
  return {
    a,
    b,
    exportPath: exp.dir,
    namespace: o.namespace,
    async close() {
      await Promise.all([a.stop(), b.stop()]);
      await exp.remove();
      if (o.namespace && o.dropNamespace) await o.dropNamespace(o.namespace);
    },
  };
}

/**
 * Heads A and B through the test Redis (a namespace of their own, dropped after), started before
 * the tests of the calling describe block and stopped after them; read `.pair` inside tests.
 */
export function useRedisPair(o: Omit<HeadOptions, 'headId' | 'exportPath' | 'redisUrl' | 'namespace'> = {}): {
  readonly pair: HeadPair;
} {
  const t = {} as { pair: HeadPair };
  beforeAll(async () => {
    t.pair = await startPair({ ...o, redisUrl: REDIS_URL, namespace: testNamespace(), dropNamespace });
  });
  afterAll(() => t.pair?.close());
  return t;
}
