import { chmod, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'winston';
import { createRedisUpcallCore, type RedisTransport } from '../adapters/transport/redis';
import {
  ExportWatcher,
  notingCore,
  RecentChangeSet,
  type RecentChanges,
  SharedRecentChanges,
  WatcherElection,
  watchDomain,
} from '../adapters/watcher';
import type { Attrs } from '../gateway/backend/attrs';
import { PosixBackend } from '../gateway/backend/posix-backend';
import { createUpcallCore, type UpcallCore } from '../upcall-core';
import { AdminServer } from './admin-server';
import { ConfigError, type GatewayConfig } from './config';
import { createHeadMetrics, type HeadMetrics } from './head-metrics';
import { type NfsFrontend, startNfsFrontend } from './nfs-frontend';
import { type SmbFrontend, startSmbFrontend } from './smb-frontend';

export interface Head {
  readonly config: GatewayConfig;
  readonly exportPath: string;
  readonly core: UpcallCore<Attrs>;
  readonly nfs: NfsFrontend;
  /** The SMB server (cache holder `<headId>/smb`), when `smbPort` is set. */
  readonly smb?: SmbFrontend;
  /** `nfs://…` URL a libnfs client can use as is. */
  readonly url: string;
  readonly adminPort?: number;
  /** Prometheus metrics of this head (also served as GET /metrics on the admin port). */
  readonly metrics: HeadMetrics;
  /** The watcher turning outside changes to the export into upcalls, when `watchExport` is on. */
  readonly watcher?: ExportWatcher;
  stats(): unknown;
  close(): Promise<void>;
}

/**
 * The composition root of one gateway head (embedded default: one process, in-process core):
 * POSIX backend → upcall plugin → metadata cache → NFS server, NFS adapter subscribed to the core.
 * With `redisUrl` the core's table and deliveries live in Redis, shared with the other heads;
 * Redis must answer at start (a clear error otherwise, never a head that silently serves stale).
 */
export async function startHead(config: GatewayConfig, logger: Logger): Promise<Head> {
  const exportPath = config.exportPath ?? (await scratchExport());
  const st = await stat(exportPath).catch(() => undefined);
  if (!st?.isDirectory()) throw new ConfigError(`export path ${exportPath} is not a directory`);

  const { core, redis } = await buildCore(config, logger);
  const backend = await PosixBackend.open(exportPath, { readOnly: config.readOnly, logger });
  // The gateway's own changes, noted on their way to the core, so the watcher does not echo them.
  // With Redis the notes are shared, so a head's watcher does not echo another head's writes either.
  let election: WatcherElection | undefined;
  const recent = !config.watchExport
    ? undefined
    : redis
      ? new SharedRecentChanges(redis.notes, undefined, undefined, () => election?.elected !== true)
      : new RecentChangeSet();
  const frontCore = recent ? notingCore(core, recent) : core;
  let nfs: NfsFrontend;
  let smb: SmbFrontend | undefined;
  let watcher: ExportWatcher | undefined;
  try {
    nfs = await startNfsFrontend({
      core: frontCore,
      backend,
      client: `${config.headId}/nfs`,
      export: {
        name: config.exportName,
        path: exportPath,
        readOnly: config.readOnly,
        allowed: config.allowed,
        rootSquash: config.rootSquash,
      },
      host: config.host,
      port: config.port,
      cacheTtlMs: config.cacheTtlMs,
      logger,
    });
    smb = config.smbPort === undefined ? undefined : await startSmb(config, frontCore, backend, logger, nfs);
    if (recent) {
      const holders = [nfs.client, ...(smb ? [smb.client] : [])];
      ({ watcher, election } = await startWatcher(
        config,
        exportPath,
        core,
        redis,
        holders,
        recent,
        logger,
      ).catch(async (err) => {
        await smb?.close();
        await nfs.close();
        throw err;
      }));
    }
  } catch (err) {
    await core.close();
    await backend.close();
    throw err;
  }
  const stats = () => ({
    core: core.stats(),
    cache: nfs.cache.stats(),
    ...(smb ? { smbCache: smb.cache.stats() } : {}),
    ...(watcher ? { watcher: { ...watcher.stats(), ...election?.stats() } } : {}),
    ...(recent instanceof SharedRecentChanges && redis
      ? {
          notes: {
            storeGets: recent.storeGets,
            rechecks: recent.rechecks,
            skippedPuts: recent.skippedPuts,
            localOnly: recent.localOnly,
            coalescedPuts: redis.notes.coalesced,
          },
        }
      : recent
        ? { notes: { rechecks: recent.rechecks } }
        : {}),
    ...(redis ? { redis: { link: redis.linkState, ...redis.counters } } : {}),
    options: core.options,
  });
  const watching = watcher;
  const metrics = createHeadMetrics({
    headId: config.headId,
    core,
    client: nfs.client,
    cache: nfs.cache,
    redis,
    ...(watching ? { watcher: () => ({ ...watching.stats(), ...election?.stats() }) } : {}),
  });
  const admin = new AdminServer(
    {
      options: () => core.options,
      reconfigure: (o) => core.reconfigure(o),
      stats,
      metrics: () => metrics.text(),
    },
    logger.child({ part: 'admin' }),
  );
  const wantAdmin = config.adminPort ?? nfs.port + 1;
  const adminPort = wantAdmin >= 0 ? await admin.listen(wantAdmin) : undefined;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `nfs://${host}${config.exportName}?nfsport=${nfs.port}&mountport=${nfs.port}`;
  return {
    config,
    exportPath,
    core,
    nfs,
    ...(smb ? { smb } : {}),
    url,
    adminPort,
    stats,
    metrics,
    ...(watcher ? { watcher } : {}),
    async close() {
      await watcher?.close();
      await election?.close(); // after the watch is off: the next head's watch then flushes every head
      await admin.close();
      metrics.close();
      await smb?.close();
      await nfs.close();
      await core.close();
      await backend.close();
    },
  };
}

/** The export watcher's client id: it originates changes, it holds no cache. */
const watcherOrigin = (config: GatewayConfig) => `${config.headId}/watcher`;

/**
 * The export watcher. With Redis, heads on one kernel over one export directory elect one watcher
 * among them (WatcherElection): the lease `ns watcher:<watchDomain>` (boot id, device, inode),
 * held as `<head id>@<pid>`; the others only note their own changes. A head that notes changes
 * much faster than the holder is handed the lease (its own writes then need no Redis lookup).
 */
async function startWatcher(
  config: GatewayConfig,
  exportPath: string,
  core: UpcallCore<Attrs>,
  redis: RedisTransport<Attrs> | undefined,
  holders: readonly string[],
  recent: RecentChanges,
  logger: Logger,
): Promise<{ watcher: ExportWatcher; election?: WatcherElection }> {
  const election = redis
    ? await WatcherElection.start({
        lease: redis.lease(`watcher:${await watchDomain(exportPath)}`, `${config.headId}@${process.pid}`),
        flushEveryHead: () => redis.flushEveryHead(),
        ...(recent instanceof SharedRecentChanges && { busy: () => recent.noted }),
        handoverRate: config.watchHandoverRate,
        leaseMs: config.watchLeaseMs,
        intervalMs: Math.floor(config.watchLeaseMs / 3),
        handoverHoldMs: config.watchHandoverHoldMs,
        logger: logger.child({ part: 'watcher' }),
      })
    : undefined;
  try {
    const watcher = await ExportWatcher.start({
      root: exportPath,
      core,
      origin: watcherOrigin(config),
      holders: () => holders,
      recent,
      election,
      source: config.watchSource,
      batchMs: config.watchBatchMs,
      maxBatchMs: config.watchMaxBatchMs,
      pauseMs: config.watchPauseMs,
      logger,
    });
    return { watcher, election };
  } catch (err) {
    await election?.close();
    throw err;
  }
}

/** The in-process core (one head), or one over Redis shared by several heads when `redisUrl` is set. */
async function buildCore(
  config: GatewayConfig,
  logger: Logger,
): Promise<{ core: UpcallCore<Attrs>; redis?: RedisTransport<Attrs> }> {
  const onSubscriberError = (err: unknown) =>
    logger.error('upcall subscriber failed', { part: 'core', err: String(err) });
  if (!config.redisUrl)
    return { core: createUpcallCore<Attrs>({ options: config.upcall, onSubscriberError }) };
  const { core, transport } = await createRedisUpcallCore<Attrs>({
    options: config.upcall,
    onSubscriberError,
    redis: {
      url: config.redisUrl,
      namespace: config.redisNamespace,
      name: config.headId,
      ackTimeoutMs: config.ackTimeoutMs,
      quietLeaseMs: config.quietLeaseMs,
      passiveOrigins: [watcherOrigin(config)],
      logger: logger.child({ part: 'redis' }),
    },
  });
  return { core, redis: transport };
}

/** The SMB server over the same backend, its own cache holder `<headId>/smb`; NFS is closed if it fails. */
async function startSmb(
  config: GatewayConfig,
  core: UpcallCore<Attrs>,
  backend: PosixBackend,
  logger: Logger,
  nfs: NfsFrontend,
): Promise<SmbFrontend> {
  try {
    return await startSmbFrontend({
      core,
      backend,
      client: `${config.headId}/smb`,
      shares: config.shares,
      readOnly: config.readOnly,
      users: config.smbUsers,
      allowNtlmV1: config.allowNtlmV1,
      allowGuest: config.allowGuest,
      smbEncryption: config.smbEncryption,
      host: config.host,
      port: config.smbPort!,
      cacheTtlMs: config.cacheTtlMs,
      connectionLimits: {
        maxConnections: config.smbMaxConnections,
        authTimeoutMs: config.smbAuthTimeout * 1000,
        idleTimeoutMs: config.smbIdleTimeout * 1000,
      },
      logger,
    });
  } catch (err) {
    await nfs.close();
    throw err;
  }
}

/**
 * The default export: a fresh temporary directory everyone may use. mkdtemp makes it 0700, and
 * with root squash on (the default) even a root client would then be refused its listing.
 */
async function scratchExport(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-export-'));
  await chmod(dir, 0o777);
  return dir;
}
