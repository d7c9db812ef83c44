/**
 * Two NFS frontends over ONE export directory and ONE upcall core, as two gateway heads'
 * protocol servers would be: each its own PosixBackend, its own MetaCache, its own port and
 * its own cache-holder name (`head-1/nfs-a`, `head-1/nfs-b`), wired by cli/nfs-frontend.ts.
 * A change made through A must reach B's cache only through the core.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NfsFrontend, startNfsFrontend } from '../../cli/nfs-frontend';
import type { Attrs } from '../../gateway/backend/attrs';
import { PosixBackend } from '../../gateway/backend/posix-backend';
import { silentLogger } from '../../gateway/nfs/silent-logger';
import { createUpcallCore, type InMemoryUpcallCore, type UpcallOptionsInput } from '../../upcall-core';

export interface Side {
  readonly frontend: NfsFrontend;
  readonly backend: PosixBackend;
  readonly url: string;
}

export interface TwoFrontends {
  readonly dir: string;
  readonly core: InMemoryUpcallCore<Attrs>;
  readonly a: Side;
  readonly b: Side;
  close(): Promise<void>;
}

export async function startTwoFrontends(opts: {
  upcall: UpcallOptionsInput;
  cacheTtlMs: number;
}): Promise<TwoFrontends> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-e2e-two-'));
  await chmod(dir, 0o777);
  const core = createUpcallCore<Attrs>({ options: opts.upcall });
  const sides: Side[] = [];
  const side = async (name: string): Promise<Side> => {
    const backend = await PosixBackend.open(dir);
    const frontend = await startNfsFrontend({
      core,
      backend,
      client: `head-1/nfs-${name}`,
      export: { name: '/export', path: dir },
      host: '127.0.0.1',
      port: 0,
      cacheTtlMs: opts.cacheTtlMs,
      logger: silentLogger(),
    });
    const s = {
      frontend,
      backend,
      url: `nfs://127.0.0.1/export?nfsport=${frontend.port}&mountport=${frontend.port}`,
    };
    sides.push(s);
    return s;
  };
  const close = async () => {
    for (const s of sides) {
      await s.frontend.close();
      await s.backend.close();
    }
    core.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const a = await side('a');
    const b = await side('b');
    return { dir, core, a, b, close };
  } catch (err) {
    await close();
    throw err;
  }
}
