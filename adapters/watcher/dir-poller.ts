import { lstat } from 'node:fs/promises';
import type { Attrs } from '../../gateway/backend/attrs';
import { attrsOf } from '../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../gateway/backend/inode-key';
import type { InodeKey } from '../../upcall-core';
import type { PathInodes } from './path-inodes';
import type { RecentChanges } from './recent-changes';

export interface DirPollerOptions {
  readonly root: string;
  readonly paths: PathInodes;
  readonly recent?: RecentChanges;
  /** A directory changed with no event telling what: drop its attributes, listing and dentries. */
  readonly changed: (dir: InodeKey) => Promise<void>;
  /** Interval between passes, ms. Default 500. */
  readonly intervalMs?: number;
  /** Directories lstat'ed per pass at most (round robin over the known ones). Default 512. */
  readonly perPass?: number;
}

/** What a directory's change moves: ctime and mtime (an entry added or removed moves both). */
const stampOf = (a: Attrs) => `${a.ctime.sec}.${a.ctime.nsec}/${a.mtime.sec}.${a.mtime.nsec}`;

/**
 * The backstop for what the watcher cannot report: @parcel/watcher folds a path created and
 * deleted inside one of its 50 ms batches into nothing, so a gateway that listed or looked up
 * that short-lived entry in between would keep it (and the directory's old times) for the
 * whole cache lifetime. Every pass lstats the known directories (bounded per pass) and compares
 * their times with the previous pass's; a directory that moved, and not by the gateway's own
 * recent change, is invalidated whole (attributes, listing, every dentry). Events the mapper
 * already handled are not subtracted on purpose: a batch that reports one entry of a directory
 * may have swallowed another's create+delete, and only the whole directory covers that. Cost:
 * one lstat per known directory per pass, and one extra invalidation per directory changed from
 * outside; never a missed one.
 */
export class DirPoller {
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;
  private running = false;
  sent = 0;

  constructor(private readonly o: DirPollerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.pass(), this.o.intervalMs ?? 500).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass (exported for tests): lstat up to perPass directories, invalidate the moved ones. */
  async pass(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const dirs = [this.o.root, ...[...this.o.paths.entries()].filter(([, k]) => k.dir).map(([p]) => p)];
      const n = Math.min(dirs.length, this.o.perPass ?? 512);
      const live = new Set(dirs);
      for (const p of this.seen.keys()) if (!live.has(p)) this.seen.delete(p);
      for (let i = 0; i < n; i++) await this.check(dirs[(this.cursor + i) % dirs.length]);
      this.cursor = (this.cursor + n) % Math.max(1, dirs.length);
    } finally {
      this.running = false;
    }
  }

  private async check(path: string): Promise<void> {
    const st = await lstat(path, { bigint: true }).then(
      (s) => attrsOf(s, 0n),
      () => undefined,
    );
    if (st === undefined || st.type !== 2) return; // gone: its parent's event says so
    const stamp = stampOf(st);
    const before = this.seen.get(path);
    this.seen.set(path, stamp);
    if (before === undefined || before === stamp) return;
    const inode = inodeKeyOf(st.fileid);
    if (await this.o.recent?.isOwn(inode, st)) return;
    this.sent++;
    await this.o.changed(inode);
  }
}
