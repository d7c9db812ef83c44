import type { Subscription } from 'rxjs';
import type { Logger } from 'winston';
import type { Attrs } from '../../gateway/backend/attrs';
import type { InodeKey, UpcallCore } from '../../upcall-core';
import { ChangeBatch, type ChangeBatchStats } from './change-batch';
import { ChangeMapper, type ChangeMapperCounters, WATCH_FLAGS } from './change-mapper';
import { DirPoller } from './dir-poller';
import { PathInodes } from './path-inodes';
import type { RecentChanges } from './recent-changes';
import { type WatchSource, WatchSwitch } from './watch-switch';
import type { WatcherElection } from './watcher-election';
import { WindowStretch } from './window-stretch';

export interface ExportWatcherOptions {
  /** The export directory (absolute). */
  readonly root: string;
  readonly core: UpcallCore<Attrs>;
  /** The watcher's client id, e.g. `head-1/watcher`. */
  readonly origin: string;
  /** The local cache holders (`head-1/nfs`, `head-1/smb`): flushed on overflow (no election). */
  readonly holders: () => readonly string[];
  /** The gateway's own recent changes: their events are suppressed. */
  readonly recent?: RecentChanges;
  /** Batch window, ms: the shortest (see WindowStretch). Default 30. */
  readonly batchMs?: number;
  /** The longest batch window, while every change seen is the gateway's own. Default 120. */
  readonly maxBatchMs?: number;
  /** fs-watch-thread: how long the thread sleeps after passing on writes, ms. Default 50. */
  readonly pauseMs?: number;
  /** Paths pending at most in one window; past it, one flush-all per holder. Default 4096. */
  readonly maxPending?: number;
  /** Interval of the directory poller (DirPoller), ms; 0 turns it off. Default 500. */
  readonly pollMs?: number;
  /** Paths remembered for deletions. Default 65,536. */
  readonly maxKnownPaths?: number;
  /** See ChangeMapper. Default 256. */
  readonly subtreeLimit?: number;
  /**
   * Entries of the export learnt at start (in the background), so deleting a file that existed
   * before the watcher can still FORGET its inode. Default 10,000; 0 skips it.
   */
  readonly seedLimit?: number;
  /** What turns inotify into events (see WatchSwitch). Default 'fs-watch-thread'. */
  readonly source?: WatchSource;
  /** Several heads on one machine: this one watches only while elected. Absent: always. */
  readonly election?: WatcherElection;
  readonly logger?: Logger;
}

export interface ExportWatcherStats extends ChangeBatchStats, ChangeMapperCounters {
  readonly batches: number;
  /** Directories the poller found changed with no event (and not by the gateway). */
  readonly polledChanges: number;
  readonly flushAlls: number;
  /** Raw events dropped because the watch was being switched off (invalidation off, or not elected). */
  readonly droppedOff: number;
  /** Time spent applying windows (lstat's, note lookups, sends), ms: total and longest. */
  readonly applyMs: number;
  readonly maxApplyMs: number;
  /** The batch window now, ms (longer while every change seen is the gateway's own). */
  readonly windowMs: number;
  /** Whether the inotify watch is in place (it is dropped while invalidation is off). */
  readonly watching: boolean;
  readonly knownPaths: number;
  readonly errors: number;
}

/**
 * Changes made to the export by other local programs, as upcalls: every cache holder of this
 * head (and, through a shared core, of every head) drops what it cached of them.
 *
 * Events are batched per window (`batchMs`), deduplicated per path and bounded (`maxPending`):
 * past the bound the window turns into one flush-all of the local holders — memory stays fixed
 * whatever the burst. Windows are applied one at a time, in order.
 *
 * While `features.cache-invalidation` is off the core sends nothing, so the watcher does nothing
 * at all: the inotify watch is dropped (see WatchSwitch for its cost), events still on their way
 * are dropped on arrival, and the poller pauses. When it comes back on the core flushes every
 * cache ('reenabled'), so what was missed needs no replay; see `enable()` for the rest.
 * With an election (several heads on one machine) the same holds while another head watches.
 */
export class ExportWatcher {
  private readonly batch: ChangeBatch;
  private readonly paths: PathInodes;
  private readonly mapper: ChangeMapper;
  private readonly poller: DirPoller | undefined;
  private readonly window: WindowStretch;
  private readonly watch: WatchSwitch;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private seeding: Promise<unknown> = Promise.resolve();
  private options?: Subscription;
  private elections?: Subscription;
  /** The watch runs while both hold: invalidation on, and this head elected (or no election). */
  private invalidationOn = false;
  private elected = true;
  private enabled = false;
  /** Bumped at every on/off switch: a window taken before it is not applied after it. */
  private epoch = 0;
  private droppedOff = 0;
  private applyMs = 0;
  private maxApplyMs = 0;
  private closed = false;
  private batches = 0;
  private flushAlls = 0;
  private errors = 0;

  private constructor(private readonly o: ExportWatcherOptions) {
    this.window = new WindowStretch(o.batchMs ?? 30, o.maxBatchMs ?? Math.max(120, o.batchMs ?? 30));
    this.batch = new ChangeBatch(o.maxPending ?? 4096);
    this.paths = new PathInodes(o.maxKnownPaths ?? 65_536);
    this.mapper = new ChangeMapper({
      core: o.core,
      origin: o.origin,
      paths: this.paths,
      recent: o.recent,
      subtreeLimit: o.subtreeLimit,
      flushHolders: () => this.flushHolders('overflow'),
    });
    this.watch = new WatchSwitch({
      root: o.root,
      source: o.source,
      pauseMs: o.pauseMs,
      events: (events) => {
        if (!this.enabled) {
          this.droppedOff += events.length;
          return;
        }
        for (const e of events) this.batch.add(e.path, e.type);
        this.schedule();
      },
      error: (err) => this.failed(err),
      // The core's 'reenabled' flush came before the watch was back: a cache filled in between
      // may hold what changed unseen. Flushing the local holders once more closes that gap (each
      // head does so for its own holders when its own watch is back; an elected watcher, for
      // every head).
      resumed: () => {
        if (!this.closed) this.flushHolders('reenabled');
      },
    });
    const pollMs = o.pollMs ?? 500;
    this.poller =
      pollMs > 0
        ? new DirPoller({
            root: o.root,
            paths: this.paths,
            recent: o.recent,
            intervalMs: pollMs,
            changed: (dir) => this.dirChanged(dir),
          })
        : undefined;
  }

  /** A directory moved with no event telling what: its attributes, listing and dentries go. */
  private async dirChanged(dir: InodeKey): Promise<void> {
    if (this.closed || !this.enabled) return;
    try {
      await this.o.core.change(this.o.origin, { inode: dir, flags: WATCH_FLAGS.subtreeDir, parent: dir });
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * Starts watching; resolves once the watch is in place (changes after that are seen) — or at
   * once while cache invalidation is off or another head is the elected watcher, the watch then
   * waits for that to change.
   */
  static async start(o: ExportWatcherOptions): Promise<ExportWatcher> {
    const w = new ExportWatcher(o);
    w.invalidationOn = o.core.options['features.cache-invalidation'];
    w.elected = o.election?.elected ?? true;
    if (w.invalidationOn && w.elected) {
      w.enabled = true; // events the library reports while it sets up are kept, as before
      await w.watch.start();
      w.enable();
      // Heads may have served while no head watched (the last watcher died): they all flush.
      if (o.election) w.flushHolders('reenabled');
    }
    // BehaviorSubjects: the current value arrives now (a switch during the await included).
    w.options = o.core.options$().subscribe((opts) => {
      w.invalidationOn = opts['features.cache-invalidation'];
      w.setEnabled(w.invalidationOn && w.elected);
    });
    w.elections = o.election?.elected$.subscribe((elected) => {
      w.elected = elected;
      w.setEnabled(w.invalidationOn && w.elected);
    });
    return w;
  }

  private setEnabled(on: boolean): void {
    if (on === this.enabled || this.closed) return;
    this.enabled = on;
    this.epoch++;
    // Events taken in before the switch describe a time the core has flushed (on) or ignores (off).
    this.batch.take();
    if (on) this.enable();
    else {
      this.poller?.stop();
      void this.watch.set(false);
    }
  }

  /**
   * Back on (or on at start). The path map is kept and reseeded rather than cleared: the walk
   * refreshes every path that still exists (up to `seedLimit`), and an entry left stale by a
   * change made while off (a path deleted, or recreated past the walk's bound) is no worse than
   * a path the map never knew (PathInodes): a later event there still invalidates the parent's
   * listing and the entry, and forgetting the stale inode is an extra eviction at most. The
   * poller keeps its last times on purpose: a directory that moved while off is invalidated once
   * more on its first pass (extra), whereas a fresh baseline taken after the core's flush could
   * swallow an entry created and deleted in between (missed).
   */
  private enable(): void {
    const limit = this.o.seedLimit ?? 10_000;
    this.seeding = this.seeding.then(() => this.mapper.learn(this.o.root, limit)).catch(() => undefined);
    this.poller?.start();
    void this.watch.set(true);
  }

  stats(): ExportWatcherStats {
    return {
      ...this.batch.stats(),
      ...this.mapper.counters,
      polledChanges: this.poller?.sent ?? 0,
      batches: this.batches,
      flushAlls: this.flushAlls,
      droppedOff: this.droppedOff,
      applyMs: Math.round(this.applyMs),
      maxApplyMs: Math.round(this.maxApplyMs),
      windowMs: this.window.current,
      watching: this.watch.watching,
      knownPaths: this.paths.size,
      errors: this.errors,
    };
  }

  /** Resolves once every event received so far has been applied. */
  async idle(): Promise<void> {
    await this.watch.settled();
    await this.seeding;
    while (!this.batch.empty || this.timer !== undefined) {
      await new Promise((r) => setTimeout(r, this.window.current));
      await this.running;
    }
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options?.unsubscribe();
    this.elections?.unsubscribe();
    this.poller?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.watch.close();
    await this.running;
    await this.seeding;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(async () => {
        const t0 = performance.now();
        const before = this.tally();
        await this.applyWindow();
        const after = this.tally();
        // Only the gateway's own changes: something was suppressed, nothing else happened.
        this.window.applied(after.own > before.own && after.other === before.other);
        const ms = performance.now() - t0;
        this.applyMs += ms;
        if (ms > this.maxApplyMs) this.maxApplyMs = ms;
      });
    }, this.window.open());
  }

  /** Changes found the gateway's own, and everything else a window can do (sends, flushes, errors). */
  private tally(): { own: number; other: number } {
    const c = this.mapper.counters;
    return { own: c.suppressed, other: c.sent + c.forgets + c.subtreeFlushes + this.flushAlls + this.errors };
  }

  private async applyWindow(): Promise<void> {
    if (this.closed || !this.enabled) return;
    const epoch = this.epoch;
    const { overflowed, changes } = this.batch.take();
    this.batches++;
    if (overflowed) {
      // Paths were dropped: neither the path map nor any cache can be trusted any more.
      this.paths.clear();
      this.flushHolders('overflow');
      return;
    }
    // lstat's side by side, the gateway's notes asked for the whole window at once, then the
    // changes sent one by one in window order (as before: later ones see earlier ones' paths).
    const parents = new Map<string, Promise<Attrs | undefined>>();
    const list = await Promise.all(
      [...changes].map(([path, kind]) => this.mapper.inspect(path, kind, parents)),
    );
    const answers = await this.mapper.ask(list).catch((err) => {
      this.o.logger?.debug('watcher: batched note lookup failed, asking one by one', { err: String(err) });
      return new Map<string, boolean>();
    });
    for (const ins of list) {
      if (this.closed || epoch !== this.epoch) return;
      try {
        await this.mapper.act(ins, answers);
      } catch (err) {
        this.failed(err);
      }
    }
  }

  /** The holders this watcher covers: this head's, or with an election every head's (one broadcast). */
  private flushHolders(reason: 'overflow' | 'reenabled'): void {
    if (this.o.election) {
      this.flushAlls++;
      this.o.election.flushEveryHead();
      return;
    }
    for (const h of this.o.holders()) {
      this.flushAlls++;
      this.o.core.flushAll(h, reason);
    }
  }

  /** A failed watch or apply may have lost events: the holders start over. */
  private failed(err: unknown): void {
    this.errors++;
    this.o.logger?.warn('export watcher error; flushing the caches it covers', {
      part: 'watcher',
      err: String(err),
    });
    if (!this.closed) this.flushHolders('overflow');
  }
}
