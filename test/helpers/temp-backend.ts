import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cred } from '../../gateway/backend/backend';
import { PosixBackend } from '../../gateway/backend/posix-backend';

export const ROOT: Cred = { uid: 0, gid: 0, gids: [] };

/** A real PosixBackend on a fresh temp directory, and its clean-up. */
export async function tempBackend(): Promise<{ dir: string; backend: PosixBackend; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-be-'));
  const backend = await PosixBackend.open(dir);
  return {
    dir,
    backend,
    async close() {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Lets queued microtasks (asap deliveries) run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));
