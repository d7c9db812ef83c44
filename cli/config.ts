import { readFileSync } from 'node:fs';
import { WATCH_SOURCES, type WatchSource } from '../adapters/watcher/watch-switch';
import { buildAllowList } from '../gateway/nfs/exports';
import { resolveOptions, type UpcallOptionsInput } from '../upcall-core';
import { LOG_LEVELS, type LogLevel } from './logger';
import { DEFAULT_SMB_CONFIG, type SmbConfig, smbConfigProblem } from './smb-config';

/**
 * Everything `upcall-gateway` can be told, with its default. The README's option table is this
 * list; a config file (JSON) holds the same keys, command-line flags override it.
 */
export interface GatewayConfig extends SmbConfig {
  /** Name of this gateway head; cache holders are `<headId>/nfs`. Default 'head-1'. */
  headId: string;
  /** Directory to export. Default: a fresh temporary directory, announced at start. */
  exportPath?: string;
  /** Path clients mount. Default '/export'. */
  exportName: string;
  /** Address to listen on. Default '0.0.0.0'. */
  host: string;
  /** TCP port for NFS, MOUNT and PORTMAP together. Default 2049. */
  port: number;
  /** Read-only export. Default false. */
  readOnly: boolean;
  /** Client address blocks allowed to mount. Default everyone. */
  allowed: string[];
  /** Map uid 0 to the anonymous user. Default true. */
  rootSquash: boolean;
  /** Longest a metadata cache entry lives, ms (capped just under the upcall timeout while it is on). Default 60000. */
  cacheTtlMs: number;
  /** Admin HTTP endpoint (options, stats) on 127.0.0.1; 0 picks a free port, -1 disables. Default port + 1. */
  adminPort?: number;
  logLevel: LogLevel;
  /**
   * Redis holding the client table and the deliveries, shared by several heads
   * (`redis://host:port[/db]`). Default none: one head, everything in process.
   */
  redisUrl?: string;
  /** Prefix of this deployment's keys in Redis (heads that share it are coherent). Default 'upcall:'. */
  redisNamespace: string;
  /**
   * With Redis: how long a change waits for the heads it notified to acknowledge their eviction
   * before the fop replies anyway (first-try coherence across heads); 0 turns it off. Default 5.
   */
  ackTimeoutMs: number;
  /**
   * With Redis: quiet writes. A client whose other readers of an inode were all told already may
   * change that inode's attributes again without asking Redis for this long; a read elsewhere
   * recalls it first (and waits at most this long for a head that died). Capped at T/2; 0 turns
   * it off. Default 1000.
   */
  quietLeaseMs: number;
  /**
   * Watch the export for changes made by other local programs and turn them into upcalls
   * (adapters/watcher). Default true: direct backend changes show up through the gateway.
   */
  watchExport: boolean;
  /**
   * What reads inotify for the export watcher: 'fs-watch-thread' (one Node fs.watch per
   * directory on a worker thread that reads at most every `watchPauseMs`: the least CPU per gateway write),
   * 'fs-watch' (the same, read on the main loop) or 'parcel' (@parcel/watcher: native threads, a
   * stat per event). Default 'fs-watch-thread'.
   */
  watchSource: WatchSource;
  /**
   * The export watcher's batch window, ms: the shortest, and the longest it stretches to while
   * every change it sees is the gateway's own (adapters/watcher/window-stretch.ts). A change made
   * by another program reaches the caches about this much later. Defaults 30 and 120.
   */
  watchBatchMs: number;
  watchMaxBatchMs: number;
  /** fs-watch-thread: how long its thread sleeps after passing on writes, ms. Default 50. */
  watchPauseMs: number;
  /**
   * With Redis: a head noting at least this many changes per second, and twice as many as the
   * machine's export watcher, is handed the watch (WatcherElection). 0: never. Default 500.
   */
  watchHandoverRate: number;
  /**
   * With Redis: the export watcher's lease, ms (WatcherElection; renewed, and tried for by the
   * other heads, every third of it). A watcher head that stops answering without its Redis link
   * dropping is replaced within about this long plus a third; a dead link is noticed at the next
   * try. Default 6000.
   */
  watchLeaseMs: number;
  /** With Redis: how long a head handed the watch keeps it before handing it on, ms. Default 30,000. */
  watchHandoverHoldMs: number;
  /** The GlusterFS options. */
  upcall: UpcallOptionsInput;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  headId: 'head-1',
  exportName: '/export',
  host: '0.0.0.0',
  port: 2049,
  readOnly: false,
  allowed: ['0.0.0.0/0', '::/0'],
  rootSquash: true,
  cacheTtlMs: 60_000,
  logLevel: 'info',
  redisNamespace: 'upcall:',
  ackTimeoutMs: 5,
  quietLeaseMs: 1000,
  watchExport: true,
  watchSource: 'fs-watch-thread',
  watchBatchMs: 30,
  watchMaxBatchMs: 120,
  watchPauseMs: 50,
  watchHandoverRate: 500,
  watchLeaseMs: 6000,
  watchHandoverHoldMs: 30_000,
  upcall: { 'features.cache-invalidation': false, 'features.cache-invalidation-timeout': 60 },
  ...DEFAULT_SMB_CONFIG,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const KEYS = new Set([...Object.keys(DEFAULT_CONFIG), 'exportPath', 'adminPort', 'redisUrl', 'smbPort']);

/** Reads a JSON config file; unknown keys and bad values are errors that name the file and key. */
export function loadConfigFile(path: string): Partial<GatewayConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`config file ${path}: expected a JSON object`);
  }
  for (const k of Object.keys(raw))
    if (!KEYS.has(k)) throw new ConfigError(`config file ${path}: unknown key '${k}'`);
  return raw as Partial<GatewayConfig>;
}

function port(name: string, v: unknown, allowNegative = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v > 65535 || v < (allowNegative ? -1 : 0)) {
    throw new ConfigError(`${name}: expected a TCP port number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Layers file and flags over the defaults and validates the result. */
export function resolveConfig(...layers: Partial<GatewayConfig>[]): GatewayConfig {
  const c: GatewayConfig = { ...DEFAULT_CONFIG };
  for (const l of layers) {
    for (const [k, v] of Object.entries(l)) {
      if (v === undefined) continue;
      if (k === 'upcall') c.upcall = { ...c.upcall, ...(v as UpcallOptionsInput) };
      else (c as unknown as Record<string, unknown>)[k] = v;
    }
  }
  c.port = port('port', c.port);
  if (c.adminPort !== undefined) c.adminPort = port('adminPort', c.adminPort, true);
  if (!LOG_LEVELS.includes(c.logLevel))
    throw new ConfigError(`logLevel: expected one of ${LOG_LEVELS.join(', ')}`);
  if (!c.exportName.startsWith('/'))
    throw new ConfigError(`exportName: must start with '/', got '${c.exportName}'`);
  if (!Number.isFinite(c.cacheTtlMs) || c.cacheTtlMs < 0)
    throw new ConfigError('cacheTtlMs: expected ms >= 0');
  if (!Array.isArray(c.allowed)) throw new ConfigError('allowed: expected a list of address blocks');
  try {
    buildAllowList(c.allowed);
  } catch (err) {
    throw new ConfigError(`allowed: ${(err as Error).message}`);
  }
  if (c.redisUrl !== undefined && !/^rediss?:\/\/[^/\s]+/.test(c.redisUrl))
    throw new ConfigError(`redisUrl: expected redis://host:port, got '${c.redisUrl}'`);
  if (!Number.isFinite(c.ackTimeoutMs) || c.ackTimeoutMs < 0 || c.ackTimeoutMs > 1000)
    throw new ConfigError('ackTimeoutMs: expected ms between 0 and 1000');
  if (!Number.isFinite(c.quietLeaseMs) || c.quietLeaseMs < 0 || c.quietLeaseMs > 10_000)
    throw new ConfigError('quietLeaseMs: expected ms between 0 and 10000');
  if (!WATCH_SOURCES.includes(c.watchSource))
    throw new ConfigError(
      `watchSource: expected one of ${WATCH_SOURCES.join(', ')}, got ${JSON.stringify(c.watchSource)}`,
    );
  const ms = (key: 'watchBatchMs' | 'watchMaxBatchMs' | 'watchPauseMs', min: number) => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 10_000)
      throw new ConfigError(`${key}: expected whole ms between ${min} and 10000, got ${JSON.stringify(v)}`);
  };
  ms('watchBatchMs', 1);
  ms('watchMaxBatchMs', 1);
  ms('watchPauseMs', 0);
  if (!Number.isInteger(c.watchHandoverRate) || c.watchHandoverRate < 0)
    throw new ConfigError(
      `watchHandoverRate: expected whole changes per second >= 0, got ${JSON.stringify(c.watchHandoverRate)}`,
    );
  const wholeMs = (key: 'watchLeaseMs' | 'watchHandoverHoldMs', min: number, max: number) => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new ConfigError(`${key}: expected whole ms between ${min} and ${max}, got ${JSON.stringify(v)}`);
  };
  // The lease is renewed every third of it: below 300 ms that is a Redis round trip per 100 ms.
  wholeMs('watchLeaseMs', 300, 600_000);
  wholeMs('watchHandoverHoldMs', 0, 3_600_000);
  if (c.watchMaxBatchMs < c.watchBatchMs)
    throw new ConfigError(
      `watchMaxBatchMs: must not be below watchBatchMs (${c.watchMaxBatchMs} < ${c.watchBatchMs})`,
    );
  if (!c.headId || /[/\s]/.test(c.headId))
    throw new ConfigError(`headId: a non-empty name without '/' or spaces`);
  const smbProblem = smbConfigProblem(c);
  if (smbProblem) throw new ConfigError(smbProblem);
  c.upcall = resolveOptions(c.upcall); // throws InvalidOptionError naming the option
  return c;
}
