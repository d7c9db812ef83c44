import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Attrs } from '../../gateway/backend/attrs';
import { attrsOf } from '../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../gateway/backend/inode-key';
import { UpcallFlags as F, type InodeKey, type UpcallCore } from '../../upcall-core';
import type { PathChange } from './change-batch';
import type { KnownPath, PathInodes } from './path-inodes';
import type { RecentChanges } from './recent-changes';

/** Flags per DESIGN's fop table, for what a watcher can tell apart. */
export const WATCH_FLAGS = {
  /** inotify's update is IN_MODIFY or IN_ATTRIB, indistinguishable here: both sets. */
  update: F.SIZE | F.TIMES | F.MODE | F.OWN | F.PERM,
  /** create / rename-in: the parent's entries and times, with the name. */
  create: F.TIMES,
  /** unlink / rmdir / rename-out of a known inode. */
  remove: F.NLINK | F.TIMES | F.PARENT_TIMES,
  /** every inode under a new or moved-in directory (events below it may have been missed). */
  subtree: F.TIMES,
  /** every directory there: also all its dentries, negative ones included (PARENT_TIMES on itself). */
  subtreeDir: F.TIMES | F.PARENT_TIMES,
} as const;

export interface ChangeMapperCounters {
  sent: number;
  forgets: number;
  suppressed: number;
  subtreeWalks: number;
  subtreeFlushes: number;
}

export interface ChangeMapperOptions {
  readonly core: UpcallCore<Attrs>;
  /** The watcher's own client id, e.g. `head-1/watcher`: never told of its own changes. */
  readonly origin: string;
  readonly paths: PathInodes;
  readonly recent?: RecentChanges;
  /** Entries a new directory's walk visits at most before it flushes the holders instead. Default 256. */
  readonly subtreeLimit?: number;
  /** Drops everything the local holders cached (subtree too big to walk). */
  readonly flushHolders: () => void;
}

const lstatOf = (p: string) =>
  lstat(p, { bigint: true }).then(
    (st) => attrsOf(st, 0n),
    () => undefined,
  );

/**
 * Turns "path P was created/updated/deleted" into upcalls, through the core's public API only.
 *
 * - update of a known object → its inode: SIZE|TIMES|MODE|OWN|PERM;
 * - a new entry (or a path now holding another inode) → the parent: TIMES with `name`;
 *   the replaced inode, if known: NLINK|TIMES|PARENT_TIMES + FORGET;
 * - a deletion → the known inode: NLINK|TIMES|PARENT_TIMES with parent and name, then FORGET;
 *   an unknown one → the parent: TIMES with `name` (listing and that dentry dropped);
 * - a new or moved-in directory → TIMES on every inode below it, and on every directory also
 *   PARENT_TIMES naming itself so its dentries go, negative ones included (walk of at most
 *   `subtreeLimit` entries, else flush-all of the holders): inotify may miss what happens in a directory before
 *   its watch exists (TOOLCHAIN pitfall 8), so nothing below it can be trusted.
 *
 * Events that match the gateway's own recent change (RecentChanges) are suppressed.
 */
export class ChangeMapper {
  readonly counters: ChangeMapperCounters = {
    sent: 0,
    forgets: 0,
    suppressed: 0,
    subtreeWalks: 0,
    subtreeFlushes: 0,
  };
  private readonly subtreeLimit: number;

  constructor(private readonly o: ChangeMapperOptions) {
    this.subtreeLimit = o.subtreeLimit ?? 256;
  }

  async apply(path: string, kind: PathChange): Promise<void> {
    const st = await lstatOf(path);
    const parentPath = dirname(path);
    const parent = parentPath === path ? undefined : await lstatOf(parentPath);
    const known = this.o.paths.get(path);
    if (st === undefined) return this.gone(path, known, parent);
    const inode = inodeKeyOf(st.fileid);
    const isDir = st.type === 2;
    this.o.paths.set(path, { inode, dir: isDir });
    if (kind === 'update' && (known === undefined || known.inode === inode)) {
      if (await this.o.recent?.isOwn(inode, st)) return this.suppress();
      return this.send({ inode, flags: WATCH_FLAGS.update });
    }
    // A new entry, or this path now names another object.
    if (parent !== undefined) {
      const dir = inodeKeyOf(parent.fileid);
      const name = basename(path);
      if (await this.o.recent?.isOwnEntry(dir, name, parent)) this.suppress();
      else {
        await this.send({ inode: dir, flags: WATCH_FLAGS.create, name });
        if (known !== undefined && known.inode !== inode) await this.removed(known.inode, dir, name);
      }
    }
    if (isDir) await this.subtree(path, inode);
  }

  private async gone(
    path: string,
    known: { inode: InodeKey } | undefined,
    parent: Attrs | undefined,
  ): Promise<void> {
    this.o.paths.delete(path);
    if (parent === undefined) {
      // The parent went too: its own event covers the listing; still forget what we knew.
      if (known !== undefined) await this.forget(known.inode);
      return;
    }
    const dir = inodeKeyOf(parent.fileid);
    const name = basename(path);
    if (await this.o.recent?.isOwnEntry(dir, name, parent)) return this.suppress();
    if (known !== undefined) await this.removed(known.inode, dir, name);
    else await this.send({ inode: dir, flags: WATCH_FLAGS.create, name });
  }

  private async removed(inode: InodeKey, dir: InodeKey, name: string): Promise<void> {
    await this.send({ inode, flags: WATCH_FLAGS.remove, parent: dir, name });
    await this.forget(inode);
  }

  /** TIMES on every inode under `root` (bounded, else flush-all), learning their paths on the way. */
  private async subtree(root: string, rootInode: InodeKey): Promise<void> {
    this.counters.subtreeWalks++;
    const found = await this.walk(root, this.subtreeLimit);
    if (found === undefined) {
      this.counters.subtreeFlushes++;
      this.o.flushHolders();
      return;
    }
    for (const { inode, dir } of [{ inode: rootInode, dir: true }, ...found]) {
      if (dir) await this.send({ inode, flags: WATCH_FLAGS.subtreeDir, parent: inode });
      else await this.send({ inode, flags: WATCH_FLAGS.subtree });
    }
  }

  /** Learns the paths under `root` (breadth first, at most `limit` entries); sends nothing. */
  async learn(root: string, limit: number): Promise<void> {
    if (limit > 0) await this.walk(root, limit, true);
  }

  /** The inodes under `root`, recorded in the path map; undefined past `limit` (unless `partial`). */
  private async walk(root: string, limit: number, partial = false): Promise<KnownPath[] | undefined> {
    const found: KnownPath[] = [];
    const queue = [root];
    while (queue.length > 0) {
      const dir = queue.shift()!;
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (found.length >= limit) return partial ? found : undefined;
        const p = join(dir, name);
        const st = await lstatOf(p);
        if (st === undefined) continue;
        const inode = inodeKeyOf(st.fileid);
        const known = { inode, dir: st.type === 2 };
        this.o.paths.set(p, known);
        found.push(known);
        if (known.dir) queue.push(p);
      }
    }
    return found;
  }

  private suppress(): void {
    this.counters.suppressed++;
  }

  private async send(ev: {
    inode: InodeKey;
    flags: number;
    parent?: InodeKey;
    name?: string;
  }): Promise<void> {
    this.counters.sent++;
    await this.o.core.change(this.o.origin, ev);
  }

  private async forget(inode: InodeKey): Promise<void> {
    this.counters.forgets++;
    await this.o.core.forget(inode, this.o.origin);
  }
}
