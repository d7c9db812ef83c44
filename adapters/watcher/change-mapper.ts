import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Attrs } from '../../gateway/backend/attrs';
import { attrsOf } from '../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../gateway/backend/inode-key';
import { UpcallFlags as F, type InodeKey, type UpcallCore } from '../../upcall-core';
import type { WindowChange } from './change-batch';
import type { KnownPath, PathInodes } from './path-inodes';
import { type OwnQuery, ownQueryKey, type RecentChanges } from './recent-changes';

/** Flags per DESIGN's fop table, for what a watcher can tell apart. */
export const WATCH_FLAGS = {
  /** inotify's update is IN_MODIFY or IN_ATTRIB, indistinguishable here: both sets. */
  update: F.SIZE | F.TIMES | F.MODE | F.OWN | F.PERM,
  /** create / rename-in: the parent's entries and times, with the name. */
  create: F.TIMES,
  /**
   * An entry gone from the parent whose inode the watcher never learnt: as create, plus NLINK so
   * a reader of the event (CHANGE_NOTIFY) can tell a removal from an addition.
   */
  removedEntry: F.TIMES | F.NLINK,
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

/** A changed path as lstat'ed (the path and its parent), before anything is sent. */
export interface Inspected {
  readonly path: string;
  readonly kind: WindowChange;
  readonly st: Attrs | undefined;
  /** Undefined at the root or when the parent is gone too. */
  readonly parent: Attrs | undefined;
}

/** An inode met on a walk, as lstat'ed, and the directory it was found in (if known). */
interface WalkedPath extends KnownPath {
  readonly attrs: Attrs;
  readonly in?: InodeKey;
}

/** Answers asked ahead for a window (ownQueryKey → own?); a question not in it is asked on its own. */
export type OwnAnswers = ReadonlyMap<string, boolean>;

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
 *   an unknown one → the parent: TIMES|NLINK with `name` (listing and that dentry dropped);
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

  async apply(path: string, kind: WindowChange): Promise<void> {
    await this.act(await this.inspect(path, kind));
  }

  /**
   * The lstat's of one change; reads only, so a window's run side by side, and `parents` (one
   * per window) lstat's a directory once for all its changed entries.
   */
  async inspect(
    path: string,
    kind: WindowChange,
    parents = new Map<string, Promise<Attrs | undefined>>(),
  ): Promise<Inspected> {
    const parentPath = dirname(path);
    let parent = parentPath === path ? undefined : parents.get(parentPath);
    if (parent === undefined && parentPath !== path) {
      parent = lstatOf(parentPath);
      parents.set(parentPath, parent);
    }
    const [st, parentSt] = await Promise.all([lstatOf(path), parent]);
    return { path, kind, st, parent: parentSt };
  }

  /**
   * The questions `act` will put to RecentChanges for these changes, asked now in one go (one
   * store round trip for a whole window). Computed from the paths known now: when an earlier
   * change of the window alters what `act` will ask, that question is simply asked on its own.
   */
  async ask(list: readonly Inspected[]): Promise<OwnAnswers> {
    const r = this.o.recent;
    const qs = list.map((ins) => this.question(ins)).filter((q): q is OwnQuery => q !== undefined);
    if (r?.isOwnAll === undefined || qs.length === 0) return new Map();
    const answers = await r.isOwnAll(qs);
    return new Map(qs.map((q, i) => [ownQueryKey(q), answers[i]]));
  }

  private question({ path, kind, st, parent }: Inspected): OwnQuery | undefined {
    if (st !== undefined && kind === 'update') {
      const known = this.o.paths.get(path);
      const inode = inodeKeyOf(st.fileid);
      if (known === undefined || known.inode === inode) return { inode, attrs: st };
    }
    return parent === undefined
      ? undefined
      : { dir: inodeKeyOf(parent.fileid), name: basename(path), dirAttrs: parent };
  }

  /** Sends what one inspected change means, in window order. */
  async act(ins: Inspected, answers: OwnAnswers = new Map()): Promise<void> {
    const { path, kind, st, parent } = ins;
    const known = this.o.paths.get(path);
    if (st === undefined) return this.gone(path, known, parent, answers);
    const inode = inodeKeyOf(st.fileid);
    const isDir = st.type === 2;
    const dir = parent && inodeKeyOf(parent.fileid);
    this.o.paths.set(path, { inode, dir: isDir });
    if (kind === 'update' && (known === undefined || known.inode === inode)) {
      if (await this.own({ inode, attrs: st }, answers)) return this.suppress();
      return this.send({ inode, flags: WATCH_FLAGS.update });
    }
    // A new entry, or this path now names another object.
    if (parent !== undefined && dir !== undefined) {
      const name = basename(path);
      if (await this.own({ dir, name, dirAttrs: parent }, answers)) this.suppress();
      else {
        await this.send({ inode: dir, flags: WATCH_FLAGS.create, name });
        if (known !== undefined && known.inode !== inode) await this.removed(known.inode, dir, name);
      }
    }
    // Modified after it was created, in this window: whoever looked it up in between holds old
    // attributes (a directory is covered by the subtree walk below). Its own question: the
    // gateway may have made the entry and another program written to it since.
    if (kind === 'create-update' && !isDir) {
      if (await this.own({ inode, attrs: st, in: dir }, answers)) this.suppress();
      else await this.send({ inode, flags: WATCH_FLAGS.update });
    }
    if (isDir) await this.subtree(path, { inode, dir: true, attrs: st, in: dir });
  }

  private async own(q: OwnQuery, answers: OwnAnswers): Promise<boolean> {
    const asked = answers.get(ownQueryKey(q));
    if (asked !== undefined) return asked;
    return (await this.ownAll([q]))[0];
  }

  private async gone(
    path: string,
    known: { inode: InodeKey } | undefined,
    parent: Attrs | undefined,
    answers: OwnAnswers,
  ): Promise<void> {
    this.o.paths.delete(path);
    if (parent === undefined) {
      // The parent went too: its own event covers the listing; still forget what we knew.
      if (known !== undefined) await this.forget(known.inode);
      return;
    }
    const dir = inodeKeyOf(parent.fileid);
    const name = basename(path);
    if (await this.own({ dir, name, dirAttrs: parent }, answers)) return this.suppress();
    if (known !== undefined) await this.removed(known.inode, dir, name);
    else await this.send({ inode: dir, flags: WATCH_FLAGS.removedEntry, name });
  }

  private async removed(inode: InodeKey, dir: InodeKey, name: string): Promise<void> {
    await this.send({ inode, flags: WATCH_FLAGS.remove, parent: dir, name });
    await this.forget(inode);
  }

  /**
   * TIMES on every inode under `top` and `top` itself (bounded, else flush-all), learning their
   * paths on the way — except those that look exactly as the gateway's own change left them
   * (RecentChanges, all asked at once): what another program did in there before the watch
   * existed left a state no gateway head noted, and a directory the gateway made and filled is
   * not news to anyone (without this, every mkdir through NFS or SMB came back as an eviction of
   * the new directory, and a MODIFIED CHANGE_NOTIFY where it was open).
   */
  private async subtree(root: string, top: WalkedPath): Promise<void> {
    this.counters.subtreeWalks++;
    const found = await this.walk(root, this.subtreeLimit);
    if (found === undefined) {
      this.counters.subtreeFlushes++;
      this.o.flushHolders();
      return;
    }
    const all = [top, ...found];
    const own = await this.ownAll(all.map(({ inode, attrs, in: dir }) => ({ inode, attrs, in: dir })));
    // Anything in there not the gateway's may be in the directory's listing, whatever the
    // directory's own attributes say (a change in the same clock tick leaves them alike).
    if (!own.every(Boolean)) own[0] = false;
    for (let i = 0; i < all.length; i++) {
      const { inode, dir } = all[i];
      if (own[i]) this.suppress();
      else if (dir) await this.send({ inode, flags: WATCH_FLAGS.subtreeDir, parent: inode });
      else await this.send({ inode, flags: WATCH_FLAGS.subtree });
    }
  }

  /** RecentChanges' answers to many questions, in one go where it can. */
  private async ownAll(qs: readonly OwnQuery[]): Promise<boolean[]> {
    const r = this.o.recent;
    if (r === undefined) return qs.map(() => false);
    if (r.isOwnAll !== undefined) return r.isOwnAll(qs);
    return Promise.all(
      qs.map((q) => ('name' in q ? r.isOwnEntry(q.dir, q.name, q.dirAttrs) : r.isOwn(q.inode, q.attrs))),
    );
  }

  /** Learns the paths under `root` (breadth first, at most `limit` entries); sends nothing. */
  async learn(root: string, limit: number): Promise<void> {
    if (limit > 0) await this.walk(root, limit, true);
  }

  /** The inodes under `root`, recorded in the path map; undefined past `limit` (unless `partial`). */
  private async walk(root: string, limit: number, partial = false): Promise<WalkedPath[] | undefined> {
    const found: WalkedPath[] = [];
    const queue: { path: string; inode?: InodeKey }[] = [
      { path: root, inode: this.o.paths.get(root)?.inode },
    ];
    while (queue.length > 0) {
      const dir = queue.shift()!;
      const names = await readdir(dir.path).catch(() => [] as string[]);
      for (const name of names) {
        if (found.length >= limit) return partial ? found : undefined;
        const p = join(dir.path, name);
        const st = await lstatOf(p);
        if (st === undefined) continue;
        const inode = inodeKeyOf(st.fileid);
        const known = { inode, dir: st.type === 2 };
        this.o.paths.set(p, known);
        found.push({ ...known, attrs: st, in: dir.inode });
        if (known.dir) queue.push({ path: p, inode });
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
