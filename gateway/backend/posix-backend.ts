import { type BigIntStats, constants } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, stat, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import winston, { type Logger } from 'winston';
import { grantedAccess } from './access-bits';
import type { Attrs, Ino, SetAttrs, Time, Wcc } from './attrs';
import { genOf, isLnkStat, permOf } from './attrs-of';
import type {
  Backend,
  CreateHow,
  CreateResult,
  Cred,
  DirPage,
  FsStat,
  ReadResult,
  RemoveResult,
  RenameResult,
  SpecialType,
  Stability,
  WriteResult,
} from './backend';
import { checkName, FdAnchors } from './confine';
import { OpsContext } from './context';
import { createOp, linkOp, mkdirOp, mknodOp, symlinkOp } from './create-ops';
import { DirSnapshots } from './dir-snapshots';
import { BackendError, fromNodeError } from './errors';
import { FdCache } from './fd-cache';
import { deriveHandleKey, type HandleCodec, HandleCoder } from './handle-codec';
import { resolveHandle } from './handle-resolver';
import { InodeTable } from './inode-table';
import { fsyncOp, readOp, writeOp } from './io-ops';
import { Locator } from './locator';
import { nameFromBytes } from './names';
import { checkSearch } from './permission';
import { readdirOp } from './readdir-op';
import { removeOp, renameOp, rmdirOp } from './remove-ops';
import { setattrOp } from './setattr-op';

/**
 * The Backend over a POSIX directory (the export). Wiring only: each operation lives in its
 * own file over an OpsContext; this class resolves handles and answers the read-type calls
 * that need no more than a stat. See locator.ts for how an inode becomes a place to act on,
 * confine.ts for why nothing resolves outside the export, permission.ts for whose calls are
 * refused, and names.ts for how names that are not UTF-8 survive.
 */

export interface PosixBackendOptions {
  /** Every modifying call throws EROFS; files are opened read-only. */
  readonly readOnly?: boolean;
  /** Parent logger; the backend logs through a child `{ part: 'posix-backend' }`. */
  readonly logger?: Logger;
  /**
   * The fsid reported in attributes and handles. Default: st_dev of the root. Set the same
   * value on every gateway head when heads see the export through different mounts (their
   * st_dev differ), or handles and fsids would differ between heads.
   */
  readonly fsid?: bigint;
  /** Key for the handle check, the same on every head (see handle-codec.ts); default derived. */
  readonly handleSecret?: Uint8Array;
  /**
   * Longest handle minted (30..64, default 64). 63 when the NFS layer prefixes handles with an
   * export byte (several exports). Must be the same on every head.
   */
  readonly maxHandleBytes?: number;
  /** Open descriptors kept for reads, writes and directory anchors (default 64). */
  readonly maxOpenFiles?: number;
  /** A cached descriptor unused this long is closed (default 10 s). */
  readonly fdIdleMs?: number;
  /** Largest READ in one call; bounds allocation (default 1 MiB). */
  readonly maxIoBytes?: number;
  /** lstat calls one search for an unknown inode may spend (default 100,000). */
  readonly scanLimit?: number;
  /** Names held by retained READDIR snapshots, in all (default 200,000). */
  readonly readdirSnapshotNames?: number;
  /** How long a deleted inode answers ESTALE without a search (default 60 s). */
  readonly tombstoneTtlMs?: number;
  /** Testing only: pretend /proc is missing and use identity-checked paths. */
  readonly withoutProcFd?: boolean;
}

export class PosixBackend implements Backend, HandleCodec {
  readonly rootIno: Ino;
  /** The export root's real path. */
  readonly rootPath: string;
  readonly fsid: bigint;
  private readonly ctx: OpsContext;
  private readonly coder: HandleCoder;
  private closed = false;

  private constructor(
    ctx: OpsContext,
    coder: HandleCoder,
    private readonly rootFh: FileHandle,
  ) {
    this.ctx = ctx;
    this.coder = coder;
    this.rootIno = ctx.loc.rootIno;
    this.rootPath = ctx.loc.rootPath;
    this.fsid = ctx.fsid;
  }

  static async open(rootPath: string, options: PosixBackendOptions = {}): Promise<PosixBackend> {
    const log = (options.logger ?? winston.createLogger({ silent: true })).child({ part: 'posix-backend' });
    let real: string;
    let rootFh: FileHandle;
    try {
      // The configured root may itself be reached through a symlink; resolve it once, here.
      real = await realpath(resolve(rootPath));
      rootFh = await open(real, constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (err) {
      throw fromNodeError(err, `open export root ${rootPath}`);
    }
    try {
      return await PosixBackend.assemble(real, rootFh, options, log);
    } catch (err) {
      await rootFh.close();
      throw err;
    }
  }

  private static async assemble(
    real: string,
    rootFh: FileHandle,
    options: PosixBackendOptions,
    log: Logger,
  ): Promise<PosixBackend> {
    const rootSt = await rootFh.stat({ bigint: true });
    const anchors = options.withoutProcFd
      ? FdAnchors.without()
      : await FdAnchors.detect(async (p) => (await stat(p, { bigint: true })).ino === rootSt.ino, rootFh.fd);
    if (!anchors.available) log.warn('no /proc/<pid>/fd: by-name calls use identity-checked paths (racy)');
    const fsid = options.fsid ?? rootSt.dev;
    const table = new InodeTable(rootSt.ino, genOf(rootSt), { tombstoneTtlMs: options.tombstoneTtlMs });
    const fds = new FdCache({
      max: options.maxOpenFiles,
      idleMs: options.fdIdleMs,
      onCloseError: (err) => log.warn('closing a cached descriptor failed', { err }),
    });
    const snapshots = new DirSnapshots(options.readdirSnapshotNames);
    const readOnly = options.readOnly ?? false;
    let ctx: OpsContext | undefined;
    const loc = new Locator(real, rootFh, rootSt, table, fds, anchors, {
      readOnly,
      scanLimit: options.scanLimit ?? 100_000,
      log,
      onGone: (ino) => ctx?.forget(ino),
    });
    ctx = new OpsContext(loc, table, fds, snapshots, fsid, readOnly, options.maxIoBytes ?? 1 << 20, log);
    const coder = new HandleCoder(
      deriveHandleKey(fsid, rootSt.ino, options.handleSecret),
      options.maxHandleBytes,
    );
    log.debug('export opened', { root: real, fsid: String(fsid), readOnly });
    return new PosixBackend(ctx, coder, rootFh);
  }

  /** Descriptors cached for reads, writes and directory anchors (not counting the root's). */
  get openDescriptors(): number {
    return this.ctx.fds.size;
  }

  /** Closes every descriptor. Calls made afterwards fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ctx.fds.closeAll();
    await this.rootFh.close();
  }

  // ---- HandleCodec -------------------------------------------------------------------------

  handleOf(ino: Ino): Buffer {
    const cached = this.ctx.table.handle(ino);
    if (cached) return cached;
    const gen = this.ctx.table.gen(ino);
    if (gen === undefined) throw new BackendError('ESTALE', `no handle for unknown inode ${ino}`);
    const h = this.coder.encode({ fsid: this.fsid, ino, gen }, this.ctx.table.ancestry(ino));
    this.ctx.table.setHandle(ino, h);
    return this.ctx.table.handle(ino) ?? h;
  }

  /**
   * The inode whose verified (or minted) handle is exactly `h`, with no MAC and no stat: the
   * table drops a stored handle when its inode shows a new generation. Liveness is the caller's
   * business (the metadata cache answers it from attributes it still holds).
   */
  knownHandle(h: Buffer): Ino | undefined {
    const ino = HandleCoder.peekIno(h);
    return ino !== undefined && this.ctx.table.handle(ino)?.equals(h) ? ino : undefined;
  }

  async resolveHandle(h: Buffer): Promise<Ino> {
    return resolveHandle(this.ctx, this.coder.decode(h), h);
  }

  // ---- read-type calls ---------------------------------------------------------------------

  async getattr(ino: Ino): Promise<Attrs> {
    return this.ctx.attrs(await this.ctx.loc.stat(ino));
  }

  /** '.' is the directory, '..' its parent — never above the root (the root's '..' is itself). */
  async lookup(dir: Ino, name: string, cred?: Cred): Promise<Attrs> {
    const c = checkName(name, 'lookup');
    return this.ctx.loc.withDir(dir, async (d) => {
      if (cred) checkSearch(permOf(d.st), cred);
      if (c.kind === 'self' || (c.kind === 'parent' && dir === this.rootIno)) return this.ctx.attrs(d.st);
      const path = d.at(c.kind === 'parent' ? '..' : c.name);
      let st: BigIntStats;
      try {
        st = await lstat(path, { bigint: true });
      } catch (err) {
        throw fromNodeError(err, `lookup ${name}`);
      }
      if (st.dev !== this.ctx.loc.dev) throw new BackendError('EXDEV', `${name} is on another file system`);
      this.ctx.loc.note(st, c.kind === 'entry' ? { parent: dir, name: c.name } : undefined);
      return this.ctx.attrs(st);
    });
  }

  async access(ino: Ino, cred: Cred, wanted: number): Promise<{ granted: number; attrs: Attrs }> {
    const attrs = await this.getattr(ino);
    return { granted: grantedAccess(attrs, cred, wanted, this.ctx.readOnly), attrs };
  }

  async read(
    ino: Ino,
    offset: number,
    count: number,
    cred?: Cred,
    known?: Attrs,
    into?: Buffer,
  ): Promise<ReadResult> {
    return readOp(this.ctx, ino, offset, count, cred, known, into);
  }

  async readlink(ino: Ino): Promise<{ target: string; attrs: Attrs }> {
    const first = await this.ctx.loc.stat(ino);
    if (!isLnkStat(first)) throw new BackendError('EINVAL', `inode ${ino} is not a symlink`);
    return this.ctx.loc.withEntry(ino, async (dir, name, st) => ({
      target: await readlink(dir.at(name), { encoding: 'buffer' }).then(nameFromBytes, (err) => {
        throw fromNodeError(err, `readlink inode ${ino}`);
      }),
      attrs: this.ctx.attrs(st),
    }));
  }

  async readdir(
    dir: Ino,
    cookie: bigint,
    maxEntries: number,
    withAttrs: boolean,
    cred?: Cred,
  ): Promise<DirPage> {
    return readdirOp(this.ctx, dir, cookie, maxEntries, withAttrs, cred);
  }

  async statfs(ino: Ino): Promise<FsStat> {
    await this.ctx.loc.stat(ino);
    const s = await statfs(this.rootPath, { bigint: true }).catch((err) => {
      throw fromNodeError(err, 'statfs');
    });
    return {
      totalBytes: Number(s.blocks * s.bsize),
      freeBytes: Number(s.bfree * s.bsize),
      availBytes: Number(s.bavail * s.bsize),
      totalFiles: Number(s.files),
      freeFiles: Number(s.ffree),
      // Node's statfs has no f_favail; on Linux local file systems it equals f_ffree.
      availFiles: Number(s.ffree),
    };
  }

  async fsync(ino: Ino): Promise<Attrs> {
    return fsyncOp(this.ctx, ino);
  }

  // ---- modifying calls ---------------------------------------------------------------------

  async setattr(ino: Ino, set: SetAttrs, cred: Cred, guardCtime?: Time): Promise<Wcc> {
    return setattrOp(this.ctx, ino, set, cred, guardCtime);
  }

  async write(ino: Ino, offset: number, data: Buffer, stable: Stability, cred?: Cred): Promise<WriteResult> {
    return writeOp(this.ctx, ino, offset, data, stable, cred);
  }

  async create(dir: Ino, name: string, how: CreateHow, cred: Cred): Promise<CreateResult> {
    return createOp(this.ctx, dir, name, how, cred);
  }

  async mkdir(dir: Ino, name: string, mode: number, cred: Cred): Promise<CreateResult> {
    return mkdirOp(this.ctx, dir, name, mode, cred);
  }

  async symlink(dir: Ino, name: string, target: string, _mode: number, cred: Cred): Promise<CreateResult> {
    return symlinkOp(this.ctx, dir, name, target, cred);
  }

  async mknod(
    dir: Ino,
    name: string,
    type: SpecialType,
    mode: number,
    rdev: { major: number; minor: number },
    cred: Cred,
  ): Promise<CreateResult> {
    return mknodOp(this.ctx, dir, name, type, mode, rdev, cred);
  }

  async link(ino: Ino, dir: Ino, name: string, cred?: Cred): Promise<{ attrs: Attrs; dir: Wcc }> {
    return linkOp(this.ctx, ino, dir, name, cred);
  }

  async remove(dir: Ino, name: string, cred?: Cred): Promise<RemoveResult> {
    return removeOp(this.ctx, dir, name, cred);
  }

  async rmdir(dir: Ino, name: string, cred?: Cred): Promise<RemoveResult> {
    return rmdirOp(this.ctx, dir, name, cred);
  }

  async rename(
    fromDir: Ino,
    fromName: string,
    toDir: Ino,
    toName: string,
    cred?: Cred,
  ): Promise<RenameResult> {
    return renameOp(this.ctx, fromDir, fromName, toDir, toName, cred);
  }
}
