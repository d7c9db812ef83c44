/**
 * A gateway head for e2e tests, built by the real composition root (cli/start-head.ts) on
 * 127.0.0.1, an ephemeral port, no admin endpoint, and a fresh export directory of mode 0777
 * (so a squashed root — uid 65534 — may create in it, as on a real server).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayConfig, resolveConfig } from '../../cli/config';
import { type Head, startHead } from '../../cli/start-head';
import { silentLogger } from '../../gateway/nfs/silent-logger';
import { testWatchSource } from './watch-source';

export interface TestHead {
  readonly head: Head;
  /** The export directory on disk. */
  readonly dir: string;
  /** `nfs://127.0.0.1/export?nfsport=P&mountport=P`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startTestHead(overrides: Partial<GatewayConfig> = {}): Promise<TestHead> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-e2e-'));
  await chmod(dir, 0o777);
  const config = resolveConfig(
    { port: 0, adminPort: -1, exportPath: dir, host: '127.0.0.1', watchSource: testWatchSource() },
    overrides,
  );
  const head = await startHead(config, silentLogger());
  return {
    head,
    dir,
    url: head.url,
    async close() {
      await head.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The identity libnfs sends by default (its process's), as the export will see it. */
export function defaultIdentity(rootSquash = true): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 65534;
  const gid = process.getgid?.() ?? 65534;
  return rootSquash ? { uid: uid === 0 ? 65534 : uid, gid: gid === 0 ? 65534 : gid } : { uid, gid };
}
