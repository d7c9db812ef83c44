import { type AsyncSubscription, subscribe } from '@parcel/watcher';
import type { Logger } from 'winston';
import type { Attrs } from '../../gateway/backend/attrs';
import type { InodeKey, UpcallCore } from '../../upcall-core';
import { ChangeBatch, type ChangeBatchStats } from './change-batch';
import { ChangeMapper, type ChangeMapperCounters, WATCH_FLAGS } from './change-mapper';
import { DirPoller } from './dir-poller';
import { PathInodes } from './path-inodes';
import type { RecentChanges } from './recent-changes';

/*
 * Why @parcel/watcher 2.6.0 (TOOLCHAIN.md § watchers, measured on this machine kind):
 * - it is inotify-based and recursive in native code: one inotify watch per directory, events
 *   already typed create/update/delete and coalesced per path in C++ before they reach JS;
 * - fs.watch({recursive}) on Node 20 Linux is a JS walk over per-directory watchers that only
 *   says 'rename'/'change' (a create and a delete look alike, so every event needs an lstat and a
 *   guess) and misses a file created and deleted in one tick (20/20 trials);
 * - chokidar 4 is fs.watch underneath, plus its own stat per event;
 * - its prebuilt binary comes from npm as an optional dependency (no download, no build), and it
 *   works under jest (jest itself depends on the same version).
 * Its known gaps: (1) create of a directory then a file in it with no gap reports only the
 * directory in 4 of 20 trials — covered by the subtree walk in ChangeMapper; (2) it batches in C++
 * for 50 ms and a path created AND deleted within one batch is reported as nothing, so a gateway
 * that listed or looked up that short-lived file in between would keep it until the cache TTL —
 * covered by DirPoller: a known directory whose times moved is invalidated whole within a pass
 * (`pollMs`, default 500 ms).
 */

export interface ExportWatcherOptions {
  /** The export directory (absolute). */
  readonly root: string;
  readonly core: UpcallCore<Attrs>;
  /** The watcher's client id, e.g. `head-1/watcher`. */
  readonly origin: string;
  /** The local cache holders (`head-1/nfs`, `head-1/smb`): flushed on overflow. */
  readonly holders: () => readonly string[];
  /** The gateway's own recent changes: their events are suppressed. */
  readonly recent?: RecentChanges;
  /** Batch window, ms. Default 30. */
  readonly batchMs?: number;
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
  readonly logger?: Logger;
}

export interface ExportWatcherStats extends ChangeBatchStats, ChangeMapperCounters {
  readonly batches: number;
  /** Directories the poller found changed with no event (and not by the gateway). */
  readonly polledChanges: number;
  readonly flushAlls: number;
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
 */
export class ExportWatcher {
  private readonly batch: ChangeBatch;
  private readonly paths: PathInodes;
  private readonly mapper: ChangeMapper;
  private readonly poller: DirPoller | undefined;
  private readonly batchMs: number;
  private sub?: AsyncSubscription;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private seeding: Promise<unknown> = Promise.resolve();
  private closed = false;
  private batches = 0;
  private flushAlls = 0;
  private errors = 0;

  private constructor(private readonly o: ExportWatcherOptions) {
    this.batchMs = o.batchMs ?? 30;
    this.batch = new ChangeBatch(o.maxPending ?? 4096);
    this.paths = new PathInodes(o.maxKnownPaths ?? 65_536);
    this.mapper = new ChangeMapper({
      core: o.core,
      origin: o.origin,
      paths: this.paths,
      recent: o.recent,
      subtreeLimit: o.subtreeLimit,
      flushHolders: () => this.flushHolders(),
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
    if (this.closed) return;
    try {
      await this.o.core.change(this.o.origin, { inode: dir, flags: WATCH_FLAGS.subtreeDir, parent: dir });
    } catch (err) {
      this.failed(err);
    }
  }

  /** Starts watching; resolves once the watch is in place (changes after that are seen). */
  static async start(o: ExportWatcherOptions): Promise<ExportWatcher> {
    const w = new ExportWatcher(o);
    w.sub = await subscribe(o.root, (err, events) => {
      if (err) return w.failed(err);
      for (const e of events) w.batch.add(e.path, e.type);
      w.schedule();
    });
    w.seeding = w.mapper.learn(o.root, o.seedLimit ?? 10_000).catch(() => undefined);
    w.poller?.start();
    return w;
  }

  stats(): ExportWatcherStats {
    return {
      ...this.batch.stats(),
      ...this.mapper.counters,
      polledChanges: this.poller?.sent ?? 0,
      batches: this.batches,
      flushAlls: this.flushAlls,
      knownPaths: this.paths.size,
      errors: this.errors,
    };
  }

  /** Resolves once every event received so far has been applied. */
  async idle(): Promise<void> {
    await this.seeding;
    while (!this.batch.empty || this.timer !== undefined) {
      await new Promise((r) => setTimeout(r, this.batchMs));
      await this.running;
    }
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.poller?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sub?.unsubscribe();
    await this.running;
    await this.seeding;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.applyWindow());
    }, this.batchMs);
  }

  private async applyWindow(): Promise<void> {
    if (this.closed) return;
    const { overflowed, changes } = this.batch.take();
    this.batches++;
    if (overflowed) {
      // Paths were dropped: neither the path map nor any cache can be trusted any more.
      this.paths.clear();
      this.flushHolders();
      return;
    }
    for (const [path, kind] of changes) {
      if (this.closed) return;
      try {
        await this.mapper.apply(path, kind);
      } catch (err) {
        this.failed(err);
      }
    }
  }

  private flushHolders(): void {
    for (const h of this.o.holders()) {
      this.flushAlls++;
      this.o.core.flushAll(h, 'overflow');
    }
  }

  /** A failed watch or apply may have lost events: the holders start over. */
  private failed(err: unknown): void {
    this.errors++;
    this.o.logger?.warn('export watcher error; flushing local caches', {
      part: 'watcher',
      err: String(err),
    });
    if (!this.closed) this.flushHolders();
  }
}
