import { type BigIntStats, constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import type { Logger } from 'winston';
import type { Ino } from './attrs';
import { genOf, isDirStat, isRegStat } from './attrs-of';
import { type FdAnchors, O_PATH } from './confine';
import { BackendError, fromNodeError } from './errors';
import type { FdCache, FdLease, Opened } from './fd-cache';
import { type ChainLink, type ScanIo, scanFrom } from './inode-scan';
import type { InodeTable, Link } from './inode-table';
import { fsPath, nameFromBytes } from './names';

/**
 * Ino → a verified place to act on. Three kinds of access, each checked by (dev, ino):
 * - `locate`: an lstat-verified path (for reads of attributes),
 * - `withDir` / `withFile`: an open descriptor, fstat-verified once when opened and cached,
 * - `withEntry`: the object as a name inside its parent's descriptor (symlinks, devices).
 * A path from the table is tried first; when it lies, the parent is verified and the name
 * retried; then the export is scanned (bounded). Nothing found → ESTALE.
 *
 * Why (dev, ino) makes a path safe: we record an inode only after finding it inside the
 * export without following symlinks, and one (dev, ino) is one object; so a path that reaches
 * it reaches the right object even if a symlink was swapped into the path meanwhile.
 */

export interface Located {
  readonly path: string;
  readonly st: BigIntStats;
  /** The entry it was found under; absent for the root. */
  readonly link?: Link;
}

export interface DirAnchor {
  readonly ino: Ino;
  /** fstat taken when the call acquired the directory: the pre-operation attributes. */
  readonly st: BigIntStats;
  readonly fh: FileHandle;
  /** Resolves to the directory itself, through its descriptor where /proc allows. */
  readonly path: string;
  /** The entry's path, as bytes when the name carries escaped non-UTF-8 bytes (names.ts). */
  at(name: string): string | Buffer;
  restat(): Promise<BigIntStats>;
}

/** An object pinned by an O_PATH descriptor (see confine.ts). */
export interface PinnedObject {
  readonly fh: FileHandle;
  readonly st: BigIntStats;
  /**
   * Resolves to the pinned object itself. Calls that follow symlinks (chmod, chown, utimes)
   * reach the object, never a path component; do not use it for a symlink (it would follow).
   */
  readonly path: string | Buffer;
}

export interface LocatorOptions {
  readonly readOnly: boolean;
  readonly scanLimit: number;
  readonly log: Logger;
  /** Called when a descriptor shows its object was deleted (nlink 0). */
  readonly onGone: (ino: Ino) => void;
}

const { O_RDONLY, O_RDWR, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** Stops the parent-verification recursion if stale links ever form a cycle. */
const MAX_VERIFY_DEPTH = 256;

export async function lstatOrUndefined(path: string | Buffer): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch {
    return undefined;
  }
}

export class Locator {
  readonly rootIno: Ino;
  readonly dev: bigint;
  private readonly rootLease: FdLease;
  readonly scanIo: ScanIo;

  constructor(
    readonly rootPath: string,
    rootFh: FileHandle,
    rootSt: BigIntStats,
    private readonly table: InodeTable,
    private readonly fds: FdCache,
    private readonly anchors: FdAnchors,
    private readonly opts: LocatorOptions,
  ) {
    this.rootIno = rootSt.ino;
    this.dev = rootSt.dev;
    this.rootLease = { fh: rootFh, kind: 'dir', writable: false, release: () => {} };
    this.scanIo = {
      list: (p) =>
        readdir(fsPath(p), { withFileTypes: true, encoding: 'buffer' }).then(
          (ds) => ds.map((d) => ({ name: nameFromBytes(d.name), dir: d.isDirectory() })),
          () => [],
        ),
      lstat: (p) => lstatOrUndefined(fsPath(p)),
      inside: (st) => st.dev === this.dev,
    };
  }

  /** lstat calls one search for an unknown inode may spend. */
  get scanLimit(): number {
    return this.opts.scanLimit;
  }

  is(st: BigIntStats, ino: Ino): boolean {
    return st.ino === ino && st.dev === this.dev;
  }

  /** Records what a by-name call found (lookup, readdir, create, rename...). */
  note(st: BigIntStats, link?: Link): void {
    this.table.note(st.ino, genOf(st), isDirStat(st), link);
  }

  async locate(ino: Ino, depth = 0): Promise<Located> {
    if (ino === this.rootIno) {
      const st = await lstat(this.rootPath, { bigint: true });
      return { path: this.rootPath, st };
    }
    for (const link of [...this.table.links(ino)]) {
      const rel = this.table.relPathVia(link);
      const fast = rel === undefined ? undefined : await this.probe(`${this.rootPath}/${rel}`, ino, link);
      if (fast) return fast;
      if (depth < MAX_VERIFY_DEPTH) {
        const parent = await this.locate(link.parent, depth + 1).catch(staleAsUndefined);
        const slow = parent && (await this.probe(`${parent.path}/${link.name}`, ino, link));
        if (slow) return slow;
      }
      this.table.dropLink(ino, link);
    }
    if (this.table.isTombstoned(ino) || depth > 0) throw stale(ino);
    return this.scanFor(ino);
  }

  /** Bounded breadth-first search of the whole export; records what it finds. */
  async scanFor(ino: Ino): Promise<Located> {
    this.opts.log.debug('scanning export for inode', { ino: String(ino) });
    const hit = await scanFrom(this.scanIo, { ino: this.rootIno, path: this.rootPath }, ino, {
      remaining: this.opts.scanLimit,
    });
    if (!hit) {
      this.table.forget(ino);
      throw stale(ino);
    }
    return { path: hit.path, st: hit.st, link: this.recordChain(hit.chain) };
  }

  /** Notes every step of a found path; returns the target's own link. */
  recordChain(chain: readonly ChainLink[]): Link | undefined {
    let last: Link | undefined;
    for (const c of chain) {
      last = { parent: c.parent, name: c.name };
      this.note(c.st, last);
    }
    return last;
  }

  /** Attributes through a cached descriptor when there is one (no path walk), else lstat. */
  async stat(ino: Ino): Promise<BigIntStats> {
    const lease = ino === this.rootIno ? this.rootLease : this.fds.tryAcquire(ino);
    if (!lease) return (await this.locate(ino)).st;
    try {
      return await this.fstatLive(lease.fh, ino);
    } finally {
      lease.release();
    }
  }

  async withDir<T>(ino: Ino, fn: (dir: DirAnchor) => Promise<T>): Promise<T> {
    const lease =
      ino === this.rootIno
        ? this.rootLease
        : await this.fds.acquire(ino, 'dir', false, () => this.openDir(ino));
    try {
      const st = await this.fstatLive(lease.fh, ino);
      const path = this.anchors.fdPath(lease.fh.fd) ?? (await this.locate(ino)).path;
      const fh = lease.fh;
      return await fn({
        ino,
        st,
        fh,
        path,
        at: (name) => fsPath(`${path}/${name}`),
        restat: () => fh.stat({ bigint: true }),
      });
    } finally {
      lease.release();
    }
  }

  async withFile<T>(ino: Ino, write: boolean, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    const lease = await this.fds.acquire(ino, 'file', write, () => this.openFile(ino, write));
    try {
      return await fn(lease.fh);
    } finally {
      lease.release();
    }
  }

  /** The object as `name` in its parent directory's descriptor, re-verified there. */
  async withEntry<T>(
    ino: Ino,
    fn: (dir: DirAnchor, name: string, st: BigIntStats) => Promise<T>,
  ): Promise<T> {
    const { link } = await this.locate(ino);
    if (!link) throw new BackendError('EINVAL', 'the export root has no parent entry');
    return this.withDir(link.parent, async (dir) => {
      const st = await lstatOrUndefined(dir.at(link.name));
      if (!st || !this.is(st, ino)) throw stale(ino);
      return fn(dir, link.name, st);
    });
  }

  /** The object pinned by an O_PATH descriptor for the length of `fn`. */
  async withObject<T>(ino: Ino, fn: (obj: PinnedObject) => Promise<T>): Promise<T> {
    const loc = await this.locate(ino);
    const { fh } = await this.openVerified(fsPath(loc.path), O_PATH | O_NOFOLLOW, ino, false);
    try {
      const st = await this.fstatLive(fh, ino);
      return await fn({ fh, st, path: this.anchors.fdPath(fh.fd) ?? fsPath(loc.path) });
    } finally {
      await fh.close();
    }
  }

  /** Pins whatever `path` names now (no follow) and checks it is `ino`; for post-op fstat. */
  async pin(path: string | Buffer, ino: Ino): Promise<FileHandle> {
    return (await this.openVerified(path, O_PATH | O_NOFOLLOW, ino, false)).fh;
  }

  /** Path resolving to an O_PATH descriptor's object (see PinnedObject.path). */
  fdPath(fh: FileHandle, fallback: string | Buffer): string | Buffer {
    return this.anchors.fdPath(fh.fd) ?? fallback;
  }

  /** fstat that turns "deleted while open" (nlink 0) into ESTALE and forgets the object. */
  async fstatLive(fh: FileHandle, ino: Ino): Promise<BigIntStats> {
    const st = await fh.stat({ bigint: true });
    if (st.nlink === 0n) {
      this.opts.onGone(ino);
      throw stale(ino);
    }
    return st;
  }

  private async probe(path: string, ino: Ino, link: Link): Promise<Located | undefined> {
    const st = await lstatOrUndefined(fsPath(path));
    if (!st || !this.is(st, ino)) return undefined;
    this.note(st, link);
    return { path, st, link };
  }

  private async openDir(ino: Ino): Promise<Opened> {
    const loc = await this.locate(ino);
    if (!isDirStat(loc.st)) throw new BackendError('ENOTDIR', `inode ${ino} is not a directory`);
    return this.openVerified(fsPath(loc.path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, ino, false);
  }

  private async openFile(ino: Ino, write: boolean): Promise<Opened> {
    const loc = await this.locate(ino);
    if (isDirStat(loc.st)) throw new BackendError('EISDIR', `inode ${ino} is a directory`);
    if (!isRegStat(loc.st)) throw new BackendError('EINVAL', `inode ${ino} is not a regular file`);
    const base = O_NOFOLLOW | O_NONBLOCK;
    const path = fsPath(loc.path);
    if (this.opts.readOnly) return this.openVerified(path, base | O_RDONLY, ino, false);
    try {
      return await this.openVerified(path, base | O_RDWR, ino, true);
    } catch (err) {
      // Not root (tests, unprivileged gateways): a read can still use a read-only descriptor.
      if (write || (err as BackendError).code !== 'EACCES') throw err;
      return this.openVerified(path, base | O_RDONLY, ino, false);
    }
  }

  private async openVerified(
    path: string | Buffer,
    flags: number,
    ino: Ino,
    writable: boolean,
  ): Promise<Opened> {
    let fh: FileHandle;
    try {
      fh = await open(path, flags);
    } catch (err) {
      // ELOOP/ENOENT/ENOTDIR here mean the entry changed since it was located.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENOTDIR') throw stale(ino);
      throw fromNodeError(err, `open inode ${ino}`);
    }
    const st = await fh.stat({ bigint: true });
    if (!this.is(st, ino)) {
      await fh.close();
      throw stale(ino);
    }
    return { fh, writable };
  }
}

export function stale(ino: Ino): BackendError {
  return new BackendError('ESTALE', `inode ${ino} no longer exists`);
}

function staleAsUndefined(err: unknown): undefined {
  if (err instanceof BackendError && err.code === 'ESTALE') return undefined;
  throw err;
}
