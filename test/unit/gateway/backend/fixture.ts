import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cred } from '../../../../gateway/backend/backend';
import { BackendError, type PosixCode } from '../../../../gateway/backend/errors';
import { PosixBackend, type PosixBackendOptions } from '../../../../gateway/backend/posix-backend';

/**
 * A real export in a fresh temp directory per test: `<tmp>/export` is the export root and
 * `<tmp>/outside` a sibling that escape tests try (and must fail) to reach.
 */

export const ROOT: Cred = { uid: 0, gid: 0, gids: [] };
export const ALICE: Cred = { uid: 1001, gid: 1001, gids: [1001, 3000] };
export const BOB: Cred = { uid: 1002, gid: 1002, gids: [1002] };

export interface ExportFixture {
  /** The export root (what PosixBackend.open got). */
  readonly dir: string;
  /** A directory next to the export, outside it. */
  readonly outside: string;
  /** A backend opened on `dir` before each test. */
  readonly be: PosixBackend;
  /** Another backend on the same export (a restart, or a second gateway head). */
  open(opts?: PosixBackendOptions): Promise<PosixBackend>;
}

export function useExport(opts: PosixBackendOptions = {}): ExportFixture {
  let base = '';
  let be: PosixBackend | undefined;
  const opened: PosixBackend[] = [];
  const fx: ExportFixture = {
    get dir() {
      return join(base, 'export');
    },
    get outside() {
      return join(base, 'outside');
    },
    get be() {
      if (!be) throw new Error('no backend yet');
      return be;
    },
    async open(more: PosixBackendOptions = {}) {
      const b = await PosixBackend.open(join(base, 'export'), { ...opts, ...more });
      opened.push(b);
      return b;
    },
  };
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'upcall-backend-'));
    await mkdir(join(base, 'export'));
    // World-writable like a shared export, so non-root test users may create in it.
    await chmod(join(base, 'export'), 0o777);
    await mkdir(join(base, 'outside'));
    be = await fx.open();
  });
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
    be = undefined;
    await rm(base, { recursive: true, force: true });
  });
  return fx;
}

/** Asserts that `p` rejects with a BackendError carrying `code`. */
export async function expectCode(p: Promise<unknown>, code: PosixCode): Promise<BackendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe(code);
    return err as BackendError;
  }
  throw new Error(`expected BackendError ${code}, but the call succeeded`);
}

/**
 * The real node:fs/promises module object, which the backend's named imports read at call
 * time (an `import * as` namespace would be a copy, and spying on it would see nothing).
 */
export const fsModule: typeof import('node:fs/promises') = require('node:fs/promises');

/** Runs `fn` and counts the calls it made to one node:fs/promises function. */
export async function countCalls<T>(
  name: 'lstat' | 'open' | 'readdir',
  fn: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const spy = jest.spyOn(fsModule, name);
  try {
    const result = await fn();
    return { result, calls: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

/** Creates many empty files at once (one `touch` process: far faster than 5,000 writeFile calls). */
export function touchMany(dir: string, names: readonly string[]): void {
  for (let i = 0; i < names.length; i += 1000) {
    execFileSync('touch', ['--', ...names.slice(i, i + 1000)], { cwd: dir });
  }
}
