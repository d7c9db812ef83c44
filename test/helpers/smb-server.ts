/**
 * An SMB server over a fresh temporary export (PosixBackend, no cache, no upcall), on an
 * ephemeral 127.0.0.1 port, user alice / secret working as nobody, logging into `entries`.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PosixBackend } from '../../gateway/backend/posix-backend';
import { SmbServer, type SmbServerOptions } from '../../gateway/smb';
import { captureLogger } from './capture-logger';

export interface TestSmbServer {
  readonly server: SmbServer;
  readonly port: number;
  readonly dir: string;
  readonly backend: PosixBackend;
  readonly entries: Record<string, unknown>[];
  close(): Promise<void>;
}

export const ALICE = { user: 'alice', password: 'secret' } as const;

export async function startTestSmbServer(
  opts: Partial<Omit<SmbServerOptions, 'shares' | 'logger'>> = {},
): Promise<TestSmbServer> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-smb-'));
  await chmod(dir, 0o777);
  const backend = await PosixBackend.open(dir);
  const { logger, entries } = captureLogger('debug');
  const server = new SmbServer({
    users: [ALICE],
    ...opts,
    shares: [{ kind: 'disk', name: 'share', backend, readOnly: false }],
    logger,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    dir,
    backend,
    entries,
    async close() {
      await server.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
