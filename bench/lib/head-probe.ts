/**
 * One gateway head for bench/heads.ts, in its own process (forked with IPC): built by the real
 * composition root (cli/start-head.ts) from the config the bench sends as argv[2]. It reports
 * `{ ready, port }` once serving and, when asked to (`probe: true`), the moment each invalidation
 * reached its NFS cache holder — taken right after the adapter evicted (same drain), on the
 * machine-wide monotonic clock the bench uses too (process.hrtime: CLOCK_MONOTONIC, shared by
 * every process on the machine): `{ ev: inode, t, wall, at }` — `t` monotonic ms, `wall` and `at`
 * (the change's time at the store) wall-clock ms, comparable only roughly.
 */
import { resolveConfig } from '../../cli/config';
import { startHead } from '../../cli/start-head';
import { silentLogger } from '../../gateway/nfs/silent-logger';

interface ProbeConfig {
  readonly config: Parameters<typeof resolveConfig>[0];
  readonly probe: boolean;
}

const mono = () => Number(process.hrtime.bigint()) / 1e6;
const wall = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const { config, probe } = JSON.parse(process.argv[2]) as ProbeConfig;
  const head = await startHead(resolveConfig(config), silentLogger());
  if (probe) {
    head.core.events(head.nfs.client).subscribe((ev) => {
      process.send?.(
        ev.kind === 'inode' ? { ev: ev.inode, t: mono(), wall: wall(), at: ev.at } : { flush: ev.reason },
      );
    });
  }
  process.send?.({ ready: true, port: head.nfs.port });
  process.on('message', (m: { stop?: boolean; stats?: boolean }) => {
    if (m.stats) process.send?.({ stats: head.stats() }, undefined, undefined, () => {});
    if (m.stop) head.close().then(() => process.exit(0));
  });
}

main().catch((err) => {
  process.send?.({ error: String(err?.stack ?? err) });
  process.exit(2);
});
