import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { PathChange } from './change-batch';

/*
 * Why this exists next to @parcel/watcher (see watch-switch.ts): parcel reads inotify on its own
 * thread, stat()s every event and hands it to a debounce thread, so each gateway WRITE (one
 * IN_MODIFY) costs native CPU even though JS gets a few coalesced events. Node's non-recursive
 * fs.watch reads the same inotify fd on the main loop (libuv: no thread, no stat), so a write
 * costs one C++→JS callback and a Set insert here. Recursion is ours: one fs.watch per directory.
 *
 * What inotify through libuv tells us, and how it is mapped (the consumer, ChangeMapper, lstat's
 * every path anyway and only tells 'update' from "anything else" when the path exists):
 * - 'change' (IN_MODIFY / IN_ATTRIB of an entry) → 'update', passed on within `coalesceMs`
 *   (5 ms), deduplicated per path, with no syscall;
 * - 'rename' (IN_CREATE / IN_DELETE / IN_MOVED_FROM / IN_MOVED_TO, and the watched directory's
 *   own DELETE_SELF / MOVE_SELF / IGNORED) → lstat'ed once per path: there → 'create',
 *   gone → 'delete'. The lstat is needed anyway to keep the watches right (a new directory is
 *   watched, a gone one is dropped). Renames are rare next to writes, so this costs nothing on the
 *   write path. A path created and deleted before its lstat is reported as 'delete' (parcel
 *   reports nothing), which still drops the parent's listing.
 * - renames may wait `foldMs` (default 0: off) before that lstat, and a 'change' to such a path
 *   meanwhile is folded into its report. Off by default because a fold hides a modify made by
 *   another program right after a create (only the create, i.e. the parent, is reported). The
 *   gateway's own create follow-ups (its CREATE is open, fchown, fchmod, fstat: IN_CREATE then
 *   IN_ATTRIBs over a few hundred µs) need no fold: the create's noting includes the new object
 *   as the create left it (ChangeEvent.created), so the 'create-update' they make of the window's
 *   entry (ChangeBatch) is recognised as the gateway's own.
 * - a directory's own events arrive on its watch with the directory's basename as the name
 *   (libuv's uv__basename_r for e->len == 0), indistinguishable from a child of that name: such a
 *   name is lstat'ed before it is reported, and the directory's watch is re-checked (inode).
 *
 * Ordering that keeps the "mkdir d; write d/f with no gap" case safe: a new directory is watched
 * (and its subtree walked and watched) BEFORE its 'create' is reported, so ChangeMapper's subtree
 * walk (run after the 30 ms window) happens after the watch is in place: whatever happened
 * before the walk is covered by it, whatever after is seen by the watch. A directory moved within
 * the tree is watched under its new path first, then its old watches are closed: inotify watches
 * follow the inode and libuv shares one wd among handles on the same inode, so the watch never
 * lapses.
 *
 * Queue overflow: when the kernel's inotify queue (fs.inotify.max_queued_events, 16384 here) is
 * full, the kernel drops further events and queues one IN_Q_OVERFLOW (wd -1), which libuv
 * discards without a word (uv__inotify_read: find_watcher(-1) is NULL → `continue`). That
 * happens when the event loop is blocked while other processes change the export (measured: a
 * 4 s block while another process appended to 20,000 files → exactly 16,384 reported, no error).
 * @parcel/watcher also `continue`s on IN_Q_OVERFLOW, but its reader thread drains the queue while
 * JS is blocked (same test: 20,000 of 20,000). So here a pass-on that received as many raw events
 * as the queue holds is reported as a WatchOverflowError (the consumer flushes its holders); a
 * full queue delivers exactly that many at once. False alarms need that many events within one
 * pass-on with no overflow: only a flush too many. Other fs.watch users in the process share the
 * inotify instance and its queue, and their events are not counted: with them, an overflow can go
 * unnoticed. DirPoller still catches lost creates/deletes (directory times); lost modifies are
 * only caught by the detection above.
 */

/** One change as the consumer expects it (the same shape as @parcel/watcher's Event). */
export interface WatchEvent {
  readonly path: string;
  readonly type: PathChange;
}

export type WatchCallback = (err: Error | null, events: WatchEvent[]) => void;

export interface DirWatchSubscription {
  unsubscribe(): Promise<void>;
  /** The directories watched now (for tests and stats). */
  readonly watched: readonly string[];
}

export interface DirWatchOptions {
  /** Wait before a directory that could not be watched (EMFILE, ENOSPC…) is tried again, ms. Default 1000. */
  readonly retryMs?: number;
  /**
   * How long a create (or any rename) waits before it is lstat'ed and reported, ms; 'change'
   * events for that path meanwhile are folded into it. Default 0. See the mapping note above.
   */
  readonly foldMs?: number;
  /**
   * Raw events are gathered this long before they are passed on, ms (0: to the end of the loop
   * turn). A writer in another process wakes the loop once per write, so per-turn coalescing
   * passes on about one event per write; 5 ms passed on ~6,000 for 40,000 writes (bench/watch-cost.ts).
   * The consumer batches for 30 ms anyway. Default 5.
   */
  readonly coalesceMs?: number;
  /** Opens one directory's watch; default fs.watch. Tests inject failures inotify will not make on demand. */
  readonly watchDir?: WatchDir;
}

export type WatchDir = (dir: string, listener: (type: string, name: string | null) => void) => FSWatcher;

const watchDir: WatchDir = (dir, listener) => watch(dir, { persistent: false }, listener);

/** A directory could not be watched: changes below it are unseen until a retry succeeds. */
export class DirWatchError extends Error {
  override name = 'DirWatchError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`cannot watch ${path}: ${code ?? String(cause)}`, { cause });
  }
}

/**
 * As many raw events arrived between two pass-ons as the kernel's inotify queue holds
 * (fs.inotify.max_queued_events): it was probably full, and what came after was dropped with an
 * IN_Q_OVERFLOW that libuv discards. Changes may have gone unseen.
 */
export class WatchOverflowError extends Error {
  override name = 'WatchOverflowError';
  constructor(
    readonly events: number,
    readonly queueLimit: number,
  ) {
    super(
      `${events} inotify events in one pass-on, the queue holds ${queueLimit}: events were probably lost`,
    );
  }
}

/** The kernel's inotify queue length per instance; 16384 is Linux's default. */
function inotifyQueueLimit(): number {
  try {
    const n = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : 16_384;
  } catch {
    return 16_384;
  }
}

/** The export root itself was deleted or replaced: nothing below it is watched any more. */
export class WatchRootGoneError extends Error {
  override name = 'WatchRootGoneError';
  constructor(readonly path: string) {
    super(`watched root ${path} was deleted or replaced`);
  }
}

interface DirWatch {
  readonly watcher: FSWatcher;
  readonly ino: number;
  /** Inode numbers are reused at once (rmdir d; mkdir d): the birth time tells the two apart. */
  readonly birthMs: number;
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
/** The directory is gone (or no longer one): its parent's watch reports that, nothing is lost. */
const vanished = (err: unknown) => codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR';

/**
 * Watches `root` and every directory below it with one non-recursive fs.watch each, and calls
 * `cb` with the changes gathered every `coalesceMs` (same contract as @parcel/watcher's `subscribe`). Resolves
 * once every directory that existed at the start is watched; rejects if one cannot be (the
 * caller must not believe it is watching).
 */
export async function subscribeDirs(
  root: string,
  cb: WatchCallback,
  options: DirWatchOptions = {},
): Promise<DirWatchSubscription> {
  const source = new DirWatchSource(
    resolve(root),
    cb,
    options.retryMs ?? 1000,
    options.foldMs ?? 0,
    options.coalesceMs ?? 5,
    options.watchDir ?? watchDir,
  );
  try {
    await source.start();
  } catch (err) {
    await source.unsubscribe();
    throw err;
  }
  return source;
}

class DirWatchSource implements DirWatchSubscription {
  private readonly watches = new Map<string, DirWatch>();
  /** Paths of this turn: IN_MODIFY/IN_ATTRIB only, and anything else (lstat'ed before reporting). */
  private changed = new Set<string>();
  /** Renamed paths waiting for their lstat, with when they were last renamed (performance.now()). */
  private renamed = new Map<string, number>();
  /** 'change' on a name equal to its directory's: maybe the directory's own event. */
  private maybeChanged = new Set<string>();
  /** Renamed paths whose lstat is under way: a 'change' to one of them is folded into its report. */
  private readonly settling = new Set<string>();
  /**
   * Directories whose own watch saw an event under their own name (maybe a self event): their
   * inode is re-checked; true if it was a 'rename' (DELETE_SELF / MOVE_SELF / IGNORED: the watch
   * may be dead even if a directory with the same inode number — reused — is there again).
   */
  private verify = new Map<string, boolean>();
  private scheduled = false;
  /** Raw events since the last pass-on (overflow detection), and the count that means "queue was full". */
  private raw = 0;
  private readonly queueLimit = inotifyQueueLimit();
  /** The wait before gathered renames are lstat'ed (see foldMs). */
  private fold?: NodeJS.Timeout;
  /** Directories that could not be watched for a reason other than vanishing: retried. */
  private readonly unwatched = new Set<string>();
  private retry?: NodeJS.Timeout;
  /** Turns with renames are settled one at a time, in order (watch upkeep is not reentrant). */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set while start() walks: failures throw instead of being reported. */
  private starting = true;

  constructor(
    private readonly root: string,
    private readonly cb: WatchCallback,
    private readonly retryMs: number,
    private readonly foldMs: number,
    private readonly coalesceMs: number,
    private readonly watchDir: WatchDir,
  ) {}

  async start(): Promise<void> {
    const failures: DirWatchError[] = [];
    await this.watchTree(this.root, failures);
    if (!this.watches.has(this.root)) throw failures[0] ?? new DirWatchError(this.root, 'ENOENT', 'gone');
    if (failures.length > 0) throw failures[0];
    this.starting = false;
  }

  async unsubscribe(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.fold) clearTimeout(this.fold);
    this.fold = undefined;
    for (const w of this.watches.values()) w.watcher.close();
    this.watches.clear();
    await this.chain;
  }

  /** One raw event: recorded for the next pass-on (coalesceMs), nothing else (this runs once per write). */
  private onRaw(dir: string, type: string, name: string | null): void {
    if (this.closed) return;
    this.raw++;
    if (name === null) {
      // Never on Linux (libuv always names the entry); if it happens, the whole directory is new news.
      this.renamed.set(dir, performance.now());
    } else {
      const path = `${dir}/${name}`;
      const self = name === basename(dir);
      if (self) this.verify.set(dir, this.verify.get(dir) === true || type !== 'change');
      if (type === 'change') (self ? this.maybeChanged : this.changed).add(path);
      else this.renamed.set(path, performance.now());
    }
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.coalesceMs > 0) setTimeout(() => this.turn(), this.coalesceMs);
      else setImmediate(() => this.turn());
    }
  }

  /**
   * Pass-on: updates go out at once (with foldMs, not those of paths with a rename waiting: folded
   * into it); renames gather for `foldMs`, then are lstat'ed together (and the watches kept right).
   * An update may so go out before the create it follows: ChangeBatch merges either order.
   */
  private turn(): void {
    this.scheduled = false;
    if (this.closed) return;
    if (this.raw >= this.queueLimit) this.report(new WatchOverflowError(this.raw, this.queueLimit));
    this.raw = 0;
    const changed = this.changed;
    this.changed = new Set();
    const updates: WatchEvent[] = [];
    const fold = this.foldMs > 0;
    for (const path of changed)
      if (!fold || (!this.renamed.has(path) && !this.settling.has(path)))
        updates.push({ path, type: 'update' });
    if (updates.length > 0) this.cb(null, updates);
    if (this.renamed.size + this.maybeChanged.size + this.verify.size > 0) this.armFold(this.foldMs);
  }

  private armFold(ms: number): void {
    this.fold ??= setTimeout(() => {
      this.fold = undefined;
      this.settleRipe();
    }, ms);
  }

  /**
   * Renames at least `foldMs` old go to their lstat (with every maybe-self event); younger ones
   * wait their full `foldMs`, so a create late in a busy stretch still gets its follow-ups folded.
   */
  private settleRipe(): void {
    if (this.closed) return;
    const now = performance.now();
    const renamed = new Set<string>();
    let oldest = Number.POSITIVE_INFINITY;
    for (const [path, at] of this.renamed) {
      if (now - at >= this.foldMs - 1) {
        renamed.add(path);
        this.renamed.delete(path);
      } else if (at < oldest) oldest = at;
    }
    const { maybeChanged, verify } = this;
    this.maybeChanged = new Set();
    this.verify = new Map();
    if (this.renamed.size > 0) this.armFold(Math.max(1, oldest + this.foldMs - now));
    for (const path of renamed) this.settling.add(path);
    this.chain = this.chain
      .then(() => this.settle(renamed, maybeChanged, verify))
      .catch((err) => this.report(err));
  }

  private async settle(
    renamed: Set<string>,
    maybeChanged: Set<string>,
    verify: Map<string, boolean>,
  ): Promise<void> {
    try {
      await this.settleOnce(renamed, maybeChanged, verify);
    } finally {
      for (const path of renamed) this.settling.delete(path);
    }
  }

  private async settleOnce(
    renamed: Set<string>,
    maybeChanged: Set<string>,
    verify: Map<string, boolean>,
  ): Promise<void> {
    const paths = [...renamed, ...[...maybeChanged].filter((p) => !renamed.has(p))];
    const stats = await Promise.all(paths.map((p) => lstat(p).catch(() => undefined)));
    if (this.closed) return;
    const events: WatchEvent[] = [];
    const gone: string[] = [];
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i];
      const st = stats[i];
      const wasRename = renamed.has(path);
      if (st === undefined) {
        gone.push(path);
        if (wasRename && !(await this.selfEvent(path, verify, renamed)))
          events.push({ path, type: 'delete' });
        continue;
      }
      if (st.isDirectory()) {
        // Watched (with its subtree) before it is reported: see the ordering note at the top.
        if (this.watches.get(path)?.ino !== st.ino) await this.watchTree(path);
      } else gone.push(path); // a directory replaced by a file: its old watches go
      events.push({ path, type: wasRename ? 'create' : 'update' });
    }
    // Old watches close only now, after the new ones exist (a directory moved within the tree).
    for (const path of gone) this.unwatchBelow(path);
    for (const [dir, renamedSelf] of verify) await this.verifyDir(dir, renamedSelf);
    if (!this.closed && events.length > 0) this.cb(null, events);
  }

  /**
   * Whether `path` (gone), named like its directory, was that directory's own DELETE_SELF or
   * MOVE_SELF rather than a child's deletion: the watched directory is gone or is another one now
   * (inode number and birth time: the number is reused at once, and the birth time has the
   * kernel's coarse clock), or its parent's watch reported it in the same turn (`renamed`:
   * removed, moved or made again). Its parent's watch reports the directory itself; reporting
   * "dir/dir deleted" as well made the watcher evict an entry that never was, in the directory
   * made next under that name (as many times as a client makes and removes one directory, e.g.
   * smbtorture notify.mask). What this can drop is a child so named deleted in the very turn its
   * directory went (covered by the directory's own event) or was made (the new directory is
   * walked and evicted whole: ChangeMapper's subtree).
   */
  private async selfEvent(
    path: string,
    verify: ReadonlyMap<string, boolean>,
    renamed: ReadonlySet<string>,
  ): Promise<boolean> {
    const dir = dirname(path);
    if (verify.get(dir) !== true || basename(path) !== basename(dir)) return false;
    if (renamed.has(dir)) return true;
    const w = this.watches.get(dir);
    if (w === undefined) return true; // dropped already: the directory went (its parent's watch said so)
    const st = await lstat(dir).catch(() => undefined);
    return st === undefined || st.ino !== w.ino || st.birthtimeMs !== w.birthMs;
  }

  /**
   * A maybe-self event on `dir`'s watch. Gone: its watches go (the parent's watch reports the
   * move or delete; for the root, nothing does: an error). There, after a 'rename': watched anew
   * (a live watch on the same inode just joins it; a dead one is replaced), since inode numbers
   * are reused (rmdir d; mkdir d often gives the same number).
   */
  private async verifyDir(dir: string, renamedSelf: boolean): Promise<void> {
    const w = this.watches.get(dir);
    if (w === undefined) return;
    const st = await lstat(dir).catch(() => undefined);
    const there = st?.isDirectory() === true;
    if (there && st!.ino === w.ino && !renamedSelf) return;
    if (dir === this.root && (!there || st!.ino !== w.ino)) {
      this.unwatchBelow(dir);
      this.report(new WatchRootGoneError(dir));
      return;
    }
    if (there) await this.watchTree(dir, undefined, true);
    else this.unwatchBelow(dir);
  }

  /** Watches `top` and every directory below it, breadth first: a directory's watch comes before its listing. */
  private async watchTree(top: string, failures?: DirWatchError[], renewTop = false): Promise<void> {
    const queue = [top];
    while (queue.length > 0 && !this.closed) {
      const dir = queue.shift()!;
      if (!(await this.watchOne(dir, failures, renewTop && dir === top))) continue;
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory()) queue.push(`${dir}/${e.name}`);
    }
  }

  /** Watches one directory; false if it is gone or could not be watched (then reported, and retried). */
  private async watchOne(dir: string, failures?: DirWatchError[], renew = false): Promise<boolean> {
    // lstat BEFORE the watch: if the directory is replaced in between, the recorded inode is the
    // old one, so the parent's event for the replacement re-watches it (the other order could
    // record the new inode for a watch on the old one, and never fix it).
    const st = await lstat(dir).catch(() => undefined);
    if (st === undefined || !st.isDirectory() || this.closed) return false;
    const old = this.watches.get(dir);
    if (old !== undefined && old.ino === st.ino && !renew) return true;
    let watcher: FSWatcher;
    try {
      watcher = this.watchDir(dir, (type, name) => this.onRaw(dir, type, name));
    } catch (err) {
      if (vanished(err)) return false;
      this.failed(new DirWatchError(dir, codeOf(err), err), failures);
      return false;
    }
    watcher.on('error', (err) => this.watchFailed(dir, watcher, err));
    this.watches.set(dir, { watcher, ino: st.ino, birthMs: st.birthtimeMs });
    this.unwatched.delete(dir);
    old?.watcher.close();
    return true;
  }

  /** A watcher's 'error' event (libuv does not raise one for inotify today): re-watched later. */
  private watchFailed(dir: string, watcher: FSWatcher, err: unknown): void {
    watcher.close();
    if (this.watches.get(dir)?.watcher === watcher) this.watches.delete(dir);
    if (!this.closed) this.failed(new DirWatchError(dir, codeOf(err), err));
  }

  /**
   * A directory left unwatched: the consumer is told (it flushes what it cached: changes there may
   * go unseen) and the directory is tried again every `retryMs` — each failed try is reported
   * again, so nothing is trusted for longer than that; once watched, it is reported as created
   * so its whole subtree is invalidated.
   */
  private failed(err: DirWatchError, failures?: DirWatchError[]): void {
    if (this.starting && failures !== undefined) {
      failures.push(err);
      return;
    }
    this.unwatched.add(err.path);
    this.report(err);
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      this.chain = this.chain.then(() => this.retryUnwatched()).catch((e) => this.report(e));
    }, this.retryMs).unref();
  }

  private async retryUnwatched(): Promise<void> {
    const dirs = [...this.unwatched];
    this.unwatched.clear();
    const events: WatchEvent[] = [];
    for (const dir of dirs) {
      if (this.closed) return;
      await this.watchTree(dir);
      if (this.watches.has(dir)) events.push({ path: dir, type: 'create' });
    }
    if (!this.closed && events.length > 0) this.cb(null, events);
  }

  /** Closes the watches of `path` and everything below it (only if `path` was a watched directory). */
  private unwatchBelow(path: string): void {
    if (!this.watches.has(path) && !this.unwatched.has(path)) return;
    const prefix = `${path}/`;
    for (const [dir, w] of this.watches) {
      if (dir === path || dir.startsWith(prefix)) {
        w.watcher.close();
        this.watches.delete(dir);
      }
    }
    for (const dir of this.unwatched) if (dir === path || dir.startsWith(prefix)) this.unwatched.delete(dir);
  }

  private report(err: unknown): void {
    if (!this.closed) this.cb(err instanceof Error ? err : new Error(String(err)), []);
  }

  get watched(): readonly string[] {
    return [...this.watches.keys()];
  }
}
