import { BackendError, type PosixCode } from './errors';
import { bytesOfName } from './names';

/**
 * Confinement: nothing the backend does may resolve outside the export root. Three rules:
 *
 * 1. A name from a client is one path component. '' and names holding '/' or NUL are refused
 *    with EACCES — what Linux knfsd answers (lookup_one_len), so a client sees the same status
 *    from us as from the kernel server. Over 255 bytes is ENAMETOOLONG (NAME_MAX), counted as
 *    the bytes on disk (names.ts: escaped non-UTF-8 bytes count one each).
 * 2. '.' and '..' mean something only to LOOKUP ('..' of the root is the root itself). Every
 *    other operation refuses them with the errno the Linux syscall would give (DOT_POLICY).
 * 3. Symlinks are never followed: the last component is always reached with lstat, lchown,
 *    lutimes or O_NOFOLLOW, and a directory is reached through an open, identity-checked file
 *    descriptor (`/proc/<pid>/fd/<n>/<name>`, our stand-in for the *at() calls Node lacks), so
 *    neither a symlink planted by a client nor a directory swapped for one mid-call can send a
 *    call to /etc. Where /proc is missing we fall back to identity-checked paths and log it.
 */

export const NAME_MAX_BYTES = 255;

/**
 * Linux O_PATH (x86-64 and arm64 value; Node does not export it): a descriptor that names an
 * object without opening it, so a socket, device or FIFO can be pinned and then chmod'ed or
 * chown'ed through `/proc/<pid>/fd/<n>` with no path lookup in between and no side effects.
 */
export const O_PATH = 0o10000000;

/** Operations that take an entry name, each with its own answer to '.' and '..'. */
export type NameOp = 'lookup' | 'create' | 'remove' | 'rmdir' | 'rename';

/**
 * What each operation does with '.' and '..' (Linux: mkdir/open(O_EXCL)/symlink/mknod/link →
 * EEXIST; unlink → EISDIR; rmdir('.') → EINVAL, rmdir('..') → ENOTEMPTY; rename → EBUSY).
 */
const DOT_POLICY: Record<Exclude<NameOp, 'lookup'>, { dot: PosixCode; dotdot: PosixCode }> = {
  create: { dot: 'EEXIST', dotdot: 'EEXIST' },
  remove: { dot: 'EISDIR', dotdot: 'EISDIR' },
  rmdir: { dot: 'EINVAL', dotdot: 'ENOTEMPTY' },
  rename: { dot: 'EBUSY', dotdot: 'EBUSY' },
};

/** The result of checking a name: a real entry name, or (lookup only) '.' / '..'. */
export type CheckedName = { kind: 'entry'; name: string } | { kind: 'self' } | { kind: 'parent' };

/** Rules 1 and 2. Throws BackendError; returns what the name refers to. */
export function checkName(name: string, op: NameOp): CheckedName {
  if (name.length === 0) throw new BackendError('EACCES', 'empty name');
  if (name.includes('/')) throw new BackendError('EACCES', `name contains '/': ${JSON.stringify(name)}`);
  if (name.includes('\0')) throw new BackendError('EACCES', 'name contains NUL');
  if (bytesOfName(name).length > NAME_MAX_BYTES) {
    throw new BackendError('ENAMETOOLONG', `name longer than ${NAME_MAX_BYTES} bytes`);
  }
  if (name === '.' || name === '..') {
    if (op === 'lookup') return name === '.' ? { kind: 'self' } : { kind: 'parent' };
    const policy = DOT_POLICY[op];
    throw new BackendError(name === '.' ? policy.dot : policy.dotdot, `'${name}' is not an entry (${op})`);
  }
  return { kind: 'entry', name };
}

/** checkName for operations where only a real entry makes sense. */
export function entryName(name: string, op: Exclude<NameOp, 'lookup'>): string {
  const c = checkName(name, op);
  if (c.kind !== 'entry') throw new BackendError('EINVAL', `'${name}' is not an entry`);
  return c.name;
}

/** PATH_MAX: the longest symlink text Linux stores. */
export const SYMLINK_MAX_BYTES = 4095;

/** A symlink's text is stored as given (we never follow it), but must be a valid C string. */
export function checkSymlinkTarget(target: string): void {
  if (target.length === 0) throw new BackendError('ENOENT', 'empty symlink target');
  if (target.includes('\0')) throw new BackendError('EINVAL', 'symlink target contains NUL');
  if (bytesOfName(target).length > SYMLINK_MAX_BYTES) {
    throw new BackendError('ENAMETOOLONG', 'symlink target too long');
  }
}

/**
 * Builds paths that resolve *through an open directory descriptor* (rule 3). `fdPath(fd)`
 * names the directory itself; the kernel follows the magic link to the open directory, so
 * renames or symlink swaps of its ancestors in the meantime cannot redirect the call.
 */
export class FdAnchors {
  private constructor(
    private readonly base: string | undefined,
    readonly pid: number,
  ) {}

  /** Probes `/proc/<pid>/fd`: `probe(fd)` must report the same inode as the open root. */
  static async detect(probe: (procPath: string) => Promise<boolean>, fd: number): Promise<FdAnchors> {
    const base = `/proc/${process.pid}/fd`;
    const ok = await probe(`${base}/${fd}`).catch(() => false);
    return new FdAnchors(ok ? base : undefined, process.pid);
  }

  /** For tests and platforms without /proc: always use the identity-checked path. */
  static without(): FdAnchors {
    return new FdAnchors(undefined, process.pid);
  }

  get available(): boolean {
    return this.base !== undefined;
  }

  /** The path that resolves to whatever `fd` has open; undefined without /proc. */
  fdPath(fd: number): string | undefined {
    return this.base === undefined ? undefined : `${this.base}/${fd}`;
  }
}
