#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { WATCH_SOURCES } from '../adapters/watcher/watch-switch';
import { ConfigError, type GatewayConfig, loadConfigFile, resolveConfig } from './config';
import { createLogger, LOG_LEVELS } from './logger';
import { startHead } from './start-head';

/**
 * upcall-gateway: runs one gateway head (NFSv3 + MOUNT + PORTMAP on one port, upcall core in
 * process), and talks to a running head's admin endpoint to read or change the upcall options.
 */
const int = (what: string) => (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`${what} must be a whole number`);
  return Number(v);
};

function flagsToConfig(o: Record<string, unknown>): Partial<GatewayConfig> {
  const upcall: GatewayConfig['upcall'] = {
    ...(o.cacheInvalidation !== undefined && {
      'features.cache-invalidation': o.cacheInvalidation as string,
    }),
    ...(o.cacheInvalidationTimeout !== undefined && {
      'features.cache-invalidation-timeout': o.cacheInvalidationTimeout as string,
    }),
  };
  return {
    exportPath: o.export as string | undefined,
    exportName: o.exportName as string | undefined,
    host: o.host as string | undefined,
    port: o.port as number | undefined,
    headId: o.headId as string | undefined,
    readOnly: o.readOnly as boolean | undefined,
    allowed: o.allow as string[] | undefined,
    rootSquash: o.rootSquash as boolean | undefined,
    cacheTtlMs: o.cacheTtl as number | undefined,
    adminPort: o.adminPort as number | undefined,
    logLevel: o.logLevel as GatewayConfig['logLevel'] | undefined,
    redisUrl: o.redis as string | undefined,
    redisNamespace: o.redisNamespace as string | undefined,
    ackTimeoutMs: o.ackTimeout as number | undefined,
    quietLeaseMs: o.quietLease as number | undefined,
    smbPort: o.smbPort as number | undefined,
    // commander defaults a --no- flag to true: only its presence may override the config file.
    watchExport: o.watchExport === false ? false : undefined,
    watchSource: o.watchSource as GatewayConfig['watchSource'] | undefined,
    watchBatchMs: o.watchBatch as number | undefined,
    watchMaxBatchMs: o.watchMaxBatch as number | undefined,
    watchPauseMs: o.watchPause as number | undefined,
    watchHandoverRate: o.watchHandoverRate as number | undefined,
    watchLeaseMs: o.watchLease as number | undefined,
    watchHandoverHoldMs: o.watchHandoverHold as number | undefined,
    upcall,
  };
}

async function serve(o: Record<string, unknown>): Promise<void> {
  const configPath = o.config as string | undefined;
  const file = configPath ? loadConfigFile(configPath) : {};
  const flags = flagsToConfig(o);
  const config = resolveConfig(file, flags);
  const logger = createLogger(config.logLevel);
  const head = await startHead(config, logger);
  logger.info('upcall gateway ready', {
    part: 'gateway',
    head: config.headId,
    export: head.exportPath,
    exportIsTemporary: config.exportPath === undefined,
    url: head.url,
    admin: head.adminPort === undefined ? 'off' : `http://127.0.0.1:${head.adminPort}`,
    upcall: head.core.options,
    cacheTtlMs: head.nfs.cache.ttlMs,
    store: config.redisUrl ? `redis ${config.redisUrl} (${config.redisNamespace})` : 'in-process',
    smb: head.smb ? { port: head.smb.port, shares: config.shares } : 'off',
  });
  // SIGHUP: re-read the config file and apply its upcall options without a restart. Layered as
  // at start (command-line flags still override the file), so a reload never undoes a flag.
  process.on('SIGHUP', () => {
    if (!configPath) return logger.warn('SIGHUP ignored: no --config file to reload', { part: 'gateway' });
    try {
      const next = head.core.reconfigure(resolveConfig(loadConfigFile(configPath), flags).upcall);
      logger.info('config reloaded', { part: 'gateway', upcall: next, cacheTtlMs: head.nfs.cache.ttlMs });
    } catch (err) {
      logger.error('config reload refused; options unchanged', {
        part: 'gateway',
        error: (err as Error).message,
      });
    }
  });
  const stop = (signal: string) => {
    logger.info('stopping', { part: 'gateway', signal });
    head.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function admin(port: number, method: 'GET' | 'PUT', body?: unknown): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/options`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  process.stdout.write(await res.text());
  if (!res.ok) process.exitCode = 1;
}

const program = new Command('upcall-gateway')
  .description('NFS gateway with GlusterFS-style cache invalidation (upcall)')
  // Usage errors (a bad flag value, an unknown option) exit 2 like every other bad input,
  // instead of commander's default 1; subcommands inherit this.
  .exitOverride()
  // `get`/`set` have their own --admin-port: without this the server's flag of the same name
  // takes it and the subcommand reports it missing.
  .enablePositionalOptions()
  .option('-e, --export <dir>', 'directory to export (default: a fresh temporary directory)')
  .option('--export-name <path>', "path clients mount (default '/export')")
  .option('--host <addr>', "address to listen on (default '0.0.0.0')")
  .option('-p, --port <n>', 'TCP port for NFS, MOUNT and PORTMAP (default 2049)', int('port'))
  .option('--head-id <name>', "this head's name (default 'head-1')")
  .option('--read-only', 'export read-only')
  .option('--allow <cidr...>', 'client address blocks allowed (default all)')
  .option('--no-root-squash', 'do not map uid 0 to the anonymous user')
  .option(
    '--cache-ttl <ms>',
    'metadata cache lifetime in ms, capped under the upcall timeout (default 60000)',
    int('cache-ttl'),
  )
  .option(
    '--admin-port <n>',
    'admin HTTP port on 127.0.0.1, -1 to disable (default: port + 1)',
    int('admin-port'),
  )
  .addOption(new Option('--log-level <level>', 'log level (default info)').choices([...LOG_LEVELS]))
  .option('--cache-invalidation <on|off>', 'features.cache-invalidation (default off)')
  .option('--cache-invalidation-timeout <s>', 'features.cache-invalidation-timeout in seconds (default 60)')
  .option('--redis <url>', 'share the client table with other heads through Redis (default: in process)')
  .option('--redis-namespace <prefix>', "prefix of this deployment's Redis keys (default 'upcall:')")
  .option(
    '--ack-timeout <ms>',
    'with --redis: longest a change waits for the notified heads to evict before replying, 0 off (default 5)',
    int('ack-timeout'),
  )
  .option(
    '--quiet-lease <ms>',
    'with --redis: how long a writer whose readers were all told may write without asking Redis, 0 off (default 1000)',
    int('quiet-lease'),
  )
  .option(
    '--smb-port <n>',
    'serve SMB2/3 on this TCP port too (default off; users from the config file)',
    int('smb-port'),
  )
  .option('--no-watch-export', 'do not turn changes made to the export by other programs into upcalls')
  .addOption(
    new Option(
      '--watch-source <kind>',
      "what reads inotify for the export watcher: fs-watch-thread, fs-watch, parcel (default 'fs-watch-thread')",
    ).choices([...WATCH_SOURCES]),
  )
  .option(
    '--watch-batch <ms>',
    "export watcher's shortest batch window: outside changes reach the caches this much later (default 30)",
    int('watch-batch'),
  )
  .option(
    '--watch-max-batch <ms>',
    "export watcher's longest batch window, while all it sees is the gateway's own writes (default 120)",
    int('watch-max-batch'),
  )
  .option(
    '--watch-pause <ms>',
    'fs-watch-thread: how long the watch thread sleeps after passing on writes (default 50)',
    int('watch-pause'),
  )
  .option(
    '--watch-handover-rate <n>',
    'with --redis: changes/s from which a head is handed the export watch (twice the holder), 0 never (default 500)',
    int('watch-handover-rate'),
  )
  .option(
    '--watch-lease <ms>',
    "with --redis: the export watcher's lease, renewed every third of it; a hung watcher is replaced within about this long (default 6000)",
    int('watch-lease'),
  )
  .option(
    '--watch-handover-hold <ms>',
    'with --redis: how long a head handed the export watch keeps it before handing it on (default 30000)',
    int('watch-handover-hold'),
  )
  .option(
    '-c, --config <file>',
    'JSON config file (same keys as the README table); SIGHUP reloads its upcall options',
  )
  .action((o) => serve(o));

program
  .command('get')
  .description("print a running head's upcall options")
  .requiredOption('--admin-port <n>', 'the head\u2019s admin port', int('admin-port'))
  .action((o) => admin(o.adminPort, 'GET'));

program
  .command('set')
  .description("change a running head's upcall option at once, e.g. set features.cache-invalidation on")
  .argument('<option>', 'features.cache-invalidation or features.cache-invalidation-timeout')
  .argument('<value>')
  .requiredOption('--admin-port <n>', 'the head\u2019s admin port', int('admin-port'))
  .action((option: string, value: string, o) => admin(o.adminPort, 'PUT', { [option]: value }));

program.parseAsync(process.argv).catch((err: Error) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // commander printed why
  const known =
    err instanceof ConfigError ||
    err.name === 'InvalidOptionError' ||
    err.name === 'RedisUnavailableError' ||
    (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(`upcall-gateway: ${known ? err.message : (err.stack ?? err.message)}\n`);
  process.exit(2);
});
