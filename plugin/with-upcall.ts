import type { Attrs, Ino, SetAttrs, Wcc } from '../gateway/backend/attrs';
import type {
  Backend,
  CreateHow,
  CreateResult,
  Cred,
  DirPage,
  RemoveResult,
  RenameResult,
  SpecialType,
  Stability,
  WriteResult,
} from '../gateway/backend/backend';
import { inodeKeyOf } from '../gateway/backend/inode-key';
import { FOP_RULES, setattrFlags, type UpcallCore } from '../upcall-core';

const ms = (t: { sec: number; nsec: number }): number => t.sec * 1000 + t.nsec / 1e6;

/**
 * The plugin: a Backend decorator that feeds every fop to the upcall core as DESIGN.md's tables
 * say — read fops register `client`, modifying fops report a change with post-op attributes
 * and parents, and an object whose last link went is forgotten. `client` names the cache this
 * backend serves (e.g. `head-1/nfs`); its own changes are never sent back to it.
 */
export function withUpcall(backend: Backend, core: UpcallCore<Attrs>, client: string): Backend {
  return new UpcallBackend(backend, core, client);
}

class UpcallBackend implements Backend {
  constructor(
    private readonly inner: Backend,
    private readonly core: UpcallCore<Attrs>,
    private readonly client: string,
  ) {}

  get rootIno(): Ino {
    return this.inner.rootIno;
  }

  /**
   * Registers the client; a promise while the registration is not yet visible to other heads.
   * `fetched`: the object was read before this registration (first met in a reply).
   */
  private seen(ino: Ino, fetched = false): void | Promise<void> {
    return this.core.access(this.client, inodeKeyOf(ino), fetched);
  }

  // Read fops register BEFORE they read: a change that lands while the read is in flight then
  // notifies this client, and the cache above drops the fill that raced with it. Registering
  // after (as GlusterFS does in the callback) leaves a window where the old value is cached
  // and nobody is told. Over a shared store the registration is awaited (once per refresh
  // interval, see RedisTransport.touch) so that "before" holds on other heads too. Objects first
  // met in a reply (a lookup's child, readdirplus entries) can only be registered after; see
  // the note on lookup.

  async getattr(ino: Ino): Promise<Attrs> {
    const w = this.seen(ino);
    if (w) await w;
    return this.inner.getattr(ino);
  }

  async lookup(dir: Ino, name: string, cred: Cred): Promise<Attrs> {
    // A failed lookup still lets the caller cache "no such name" in `dir`: register on dir first.
    // The child is only known from the reply; a change to it between the backend's stat and
    // this registration is the one window left (the directory's own changes are covered).
    const w = this.seen(dir);
    if (w) await w;
    const a = await this.inner.lookup(dir, name, cred);
    const c = this.seen(a.fileid, true);
    if (c) await c;
    return a;
  }

  async access(ino: Ino, cred: Cred, wanted: number): Promise<{ granted: number; attrs: Attrs }> {
    const w = this.seen(ino);
    if (w) await w;
    return this.inner.access(ino, cred, wanted);
  }

  async read(ino: Ino, offset: number, count: number, cred: Cred, known?: Attrs, into?: Buffer) {
    const w = this.seen(ino);
    if (w) await w;
    return this.inner.read(ino, offset, count, cred, known, into);
  }

  async readlink(ino: Ino) {
    const w = this.seen(ino);
    if (w) await w;
    return this.inner.readlink(ino);
  }

  async statfs(ino: Ino) {
    const w = this.seen(ino);
    if (w) await w;
    return this.inner.statfs(ino);
  }

  async readdir(
    dir: Ino,
    cookie: bigint,
    maxEntries: number,
    withAttrs: boolean,
    cred: Cred,
  ): Promise<DirPage> {
    const w = this.seen(dir);
    if (w) await w;
    const page = await this.inner.readdir(dir, cookie, maxEntries, withAttrs, cred);
    // READDIRPLUS hands out every entry's attributes: the caller may cache each of them.
    if (withAttrs) {
      const waits: Promise<void>[] = [];
      for (const e of page.entries) {
        const p = this.seen(e.fileid, true);
        if (p) waits.push(p);
      }
      if (waits.length > 0) await Promise.all(waits);
    }
    return page;
  }

  async fsync(ino: Ino): Promise<Attrs> {
    return this.inner.fsync(ino);
  }

  async setattr(
    ino: Ino,
    set: SetAttrs,
    cred: Cred,
    guardCtime?: { sec: number; nsec: number },
  ): Promise<Wcc> {
    const before = await this.inner.getattr(ino).catch(() => undefined);
    const wcc = await this.inner.setattr(ino, set, cred, guardCtime);
    const after = wcc.after;
    // Times the request did not set may still move by rounding (utimes rewrites both at µs
    // precision): compare only what was asked for, plus mtime when the size changed.
    const mtimeAsked = set.mtime !== undefined || set.size !== undefined;
    const flags =
      before && after
        ? setattrFlags(
            { ...before, atimeMs: ms(before.atime), mtimeMs: ms(before.mtime) },
            {
              ...after,
              atimeMs: set.atime !== undefined ? ms(after.atime) : ms(before.atime),
              mtimeMs: mtimeAsked ? ms(after.mtime) : ms(before.mtime),
            },
          )
        : FOP_RULES.setattr.flags;
    if (flags !== 0) await this.core.change(this.client, { inode: inodeKeyOf(ino), flags, stat: after });
    else {
      const w = this.seen(ino);
      if (w) await w;
    }
    return wcc;
  }

  async write(ino: Ino, offset: number, data: Buffer, stable: Stability, cred: Cred): Promise<WriteResult> {
    const r = await this.inner.write(ino, offset, data, stable, cred);
    await this.core.change(this.client, {
      inode: inodeKeyOf(ino),
      flags: FOP_RULES.write.flags,
      stat: r.wcc.after,
    });
    return r;
  }

  private async created(dir: Ino, name: string, r: CreateResult): Promise<CreateResult> {
    await this.core.change(this.client, {
      inode: inodeKeyOf(dir),
      flags: FOP_RULES.create.flags,
      stat: r.dir.after,
      name,
      created: inodeKeyOf(r.attrs.fileid),
      createdStat: r.attrs,
    });
    const w = this.seen(r.attrs.fileid); // the creator caches the new object
    if (w) await w;
    return r;
  }

  async create(dir: Ino, name: string, how: CreateHow, cred: Cred): Promise<CreateResult> {
    const existed =
      how.size !== undefined ? await this.inner.lookup(dir, name, cred).catch(() => undefined) : undefined;
    const r = await this.created(dir, name, await this.inner.create(dir, name, how, cred));
    // Truncating an existing file on create is a write to it as far as its other readers care.
    if (existed && existed.size !== r.attrs.size) {
      await this.core.change(this.client, {
        inode: inodeKeyOf(r.attrs.fileid),
        flags: FOP_RULES.truncate.flags,
        stat: r.attrs,
      });
    }
    return r;
  }

  async mkdir(dir: Ino, name: string, mode: number, cred: Cred): Promise<CreateResult> {
    return this.created(dir, name, await this.inner.mkdir(dir, name, mode, cred));
  }

  async symlink(dir: Ino, name: string, target: string, mode: number, cred: Cred): Promise<CreateResult> {
    return this.created(dir, name, await this.inner.symlink(dir, name, target, mode, cred));
  }

  async mknod(
    dir: Ino,
    name: string,
    type: SpecialType,
    mode: number,
    rdev: { major: number; minor: number },
    cred: Cred,
  ): Promise<CreateResult> {
    return this.created(dir, name, await this.inner.mknod(dir, name, type, mode, rdev, cred));
  }

  async link(ino: Ino, dir: Ino, name: string, cred: Cred): Promise<{ attrs: Attrs; dir: Wcc }> {
    const r = await this.inner.link(ino, dir, name, cred);
    await this.core.change(this.client, {
      inode: inodeKeyOf(ino),
      flags: FOP_RULES.link.flags,
      stat: r.attrs,
      parent: inodeKeyOf(dir),
      parentStat: r.dir.after,
      name,
    });
    return r;
  }

  private async removed(
    dir: Ino,
    name: string,
    r: RemoveResult,
    fop: 'unlink' | 'rmdir',
  ): Promise<RemoveResult> {
    const inode = inodeKeyOf(r.target.fileid);
    await this.core.change(this.client, {
      inode,
      flags: FOP_RULES[fop].flags,
      stat: r.target,
      parent: inodeKeyOf(dir),
      parentStat: r.dir.after,
      name,
    });
    if (r.gone) await this.core.forget(inode, this.client);
    return r;
  }

  async remove(dir: Ino, name: string, cred: Cred): Promise<RemoveResult> {
    return this.removed(dir, name, await this.inner.remove(dir, name, cred), 'unlink');
  }

  async rmdir(dir: Ino, name: string, cred: Cred): Promise<RemoveResult> {
    return this.removed(dir, name, await this.inner.rmdir(dir, name, cred), 'rmdir');
  }

  async rename(
    fromDir: Ino,
    fromName: string,
    toDir: Ino,
    toName: string,
    cred: Cred,
  ): Promise<RenameResult> {
    const r = await this.inner.rename(fromDir, fromName, toDir, toName, cred);
    await this.core.change(this.client, {
      inode: inodeKeyOf(r.moved.fileid),
      flags: FOP_RULES.rename.flags,
      stat: r.moved,
      parent: inodeKeyOf(toDir),
      parentStat: r.toDir.after,
      name: toName,
      oldParent: inodeKeyOf(fromDir),
      oldParentStat: r.fromDir.after,
      oldName: fromName,
    });
    if (r.replaced) {
      // The object the rename replaced lost a link, exactly as if it had been unlinked.
      const victim = inodeKeyOf(r.replaced.attrs.fileid);
      await this.core.change(this.client, {
        inode: victim,
        flags: FOP_RULES.unlink.flags,
        stat: r.replaced.attrs,
        parent: inodeKeyOf(toDir),
        parentStat: r.toDir.after,
        name: toName,
      });
      if (r.replaced.gone) await this.core.forget(victim, this.client);
    }
    return r;
  }
}
