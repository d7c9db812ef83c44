import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { SpecialType } from './backend';
import { BackendError, fromNodeError, type PosixCode } from './errors';
import { lstatOrUndefined } from './locator';
import { fsPath, hasEscapedBytes } from './names';

/**
 * MKNOD (RFC 1813 §3.3.11) without a mknod(2) binding in Node:
 * - FIFOs and devices: coreutils `mknod` in a child. `path` is always absolute (a
 *   `/proc/<our pid>/fd/<dir>/<name>` anchor), so the child creates in the very directory we
 *   hold open, and a name can never be read as an option;
 * - sockets: a listening unix socket bound under a random temporary name, hard-linked to the
 *   real name (link fails with EEXIST instead of replacing), then closed — closing removes the
 *   temporary name and leaves the socket inode under the real one.
 * The caller sets owner and exact mode afterwards through an O_PATH descriptor.
 */

const TYPE_LETTER: Record<Exclude<SpecialType, 'sock'>, string> = { fifo: 'p', chr: 'c', blk: 'b' };

/** Messages coreutils prints (strerror), back to errno names. */
const STDERR_CODES: ReadonlyArray<[RegExp, PosixCode]> = [
  [/File exists/, 'EEXIST'],
  [/Operation not permitted/, 'EPERM'],
  [/Permission denied/, 'EACCES'],
  [/No such file or directory/, 'ENOENT'],
  [/No space left/, 'ENOSPC'],
  [/Read-only file system/, 'EROFS'],
  [/Disk quota/, 'EDQUOT'],
  [/File name too long/, 'ENAMETOOLONG'],
];

export async function makeSpecial(
  dirPath: string,
  name: string,
  type: SpecialType,
  mode: number,
  rdev: { major: number; minor: number },
): Promise<void> {
  const text = `${dirPath}/${name}`;
  const path = fsPath(text);
  if (await lstatOrUndefined(path)) throw new BackendError('EEXIST', `${name} exists`);
  if (type === 'sock') return makeSocket(dirPath, path);
  // argv is UTF-8 text: a name with non-UTF-8 bytes cannot reach mknod(1) intact.
  if (hasEscapedBytes(name)) throw new BackendError('EINVAL', 'mknod of a non-UTF-8 name');
  const args = ['-m', (mode & 0o7777).toString(8).padStart(4, '0'), text, TYPE_LETTER[type]];
  if (type !== 'fifo') {
    if (!Number.isInteger(rdev.major) || !Number.isInteger(rdev.minor) || rdev.major < 0 || rdev.minor < 0) {
      throw new BackendError('EINVAL', 'bad device numbers');
    }
    args.push(String(rdev.major), String(rdev.minor));
  }
  await new Promise<void>((resolve, reject) => {
    execFile('mknod', args, { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new BackendError('ENOTSUP', 'mknod(1) is not installed', { cause: err }));
      }
      const code = STDERR_CODES.find(([re]) => re.test(String(stderr)))?.[1] ?? 'EIO';
      reject(new BackendError(code, `mknod: ${String(stderr).trim()}`, { cause: err }));
    });
  });
}

async function makeSocket(dirPath: string, path: string | Buffer): Promise<void> {
  const tmp = `${dirPath}/.upcall-mknod-${randomBytes(8).toString('hex')}`;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tmp, () => resolve());
    });
  } catch (err) {
    throw fromNodeError(err, 'bind socket');
  }
  try {
    await link(tmp, path);
  } catch (err) {
    throw fromNodeError(err, 'link socket');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
