import { subscribe } from '@parcel/watcher';
import { subscribeDirs, type WatchEvent } from './dir-watch-source';
import { subscribeDirsInThread } from './dir-watch-thread';

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
 *
 * 'fs-watch' (dir-watch-source.ts) is the alternative: one non-recursive fs.watch per directory,
 * read by libuv on the main loop (no reader thread, no stat per event), which costs the gateway's
 * own writes much less CPU; see that file for how it maps events and its gaps.
 *
 * 'fs-watch-thread' (dir-watch-thread.ts) runs that same source on a worker thread that reads
 * inotify at most every `pauseMs` (50 ms): the kernel queues the gateway's own write events meanwhile, and
 * nothing wakes per write. It costs the least per gateway write of the three (see that file),
 * and is the default: bench/watch-cost.ts, writes from another process, watcher CPU per write
 * parcel ~6.1 µs, fs-watch ~3.6 µs, fs-watch-thread ~1.1 µs; bench/heads.ts, 2 heads, writes
 * with the watcher vs without: parcel −11…−21 % ops/s, fs-watch-thread −2…−13 % (one run).
 */

/** Which watcher turns inotify into events: @parcel/watcher, or fs.watch per directory (here or on a thread). */
export type WatchSource = 'parcel' | 'fs-watch' | 'fs-watch-thread';
export const WATCH_SOURCES: readonly WatchSource[] = ['parcel', 'fs-watch', 'fs-watch-thread'];

interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface WatchSwitchOptions {
  readonly root: string;
  readonly events: (events: readonly WatchEvent[]) => void;
  readonly error: (err: unknown) => void;
  /** The watch is in place again after it was off: whatever changed meanwhile went unseen. */
  readonly resumed: () => void;
  /** Wait before a failed resubscribe is tried again, ms. Default 1000. */
  readonly retryMs?: number;
  /** Default 'fs-watch-thread'. */
  readonly source?: WatchSource;
  /** fs-watch-thread only: see DirWatchThreadOptions.pauseMs. */
  readonly pauseMs?: number;
}

/**
 * The watch subscription (@parcel/watcher or fs.watch per directory), held only while wanted. Measured (bench/heads.ts, writes,
 * 2 heads): a subscription whose events JS drops still costs the write path ~20-35 % CPU per op,
 * as each gateway write is an inotify event the library's reader thread wakes for, stat()s and
 * hands to its debounce thread (native, outside the V8 profile) — so dropping events in JS is not
 * enough. With invalidation on that cost stays (the watcher must see outside writes); it is most
 * of what the watcher still costs then. Switches are serialized: the last wish wins.
 */
export class WatchSwitch {
  private sub?: Subscription;
  private want = false;
  private chain: Promise<void> = Promise.resolve();
  private retry?: NodeJS.Timeout;

  constructor(private readonly o: WatchSwitchOptions) {}

  get watching(): boolean {
    return this.sub !== undefined;
  }

  /** The first subscription: throws if it fails (a head must not start without its watcher). */
  async start(): Promise<void> {
    this.want = true;
    this.sub = await this.subscribe();
  }

  /** Wants the watch on or off; resolves once that (or a later wish) is in place. */
  set(want: boolean): Promise<void> {
    this.want = want;
    this.chain = this.chain.then(() => this.sync());
    return this.chain;
  }

  /** Resolves once every switch asked so far is done. */
  settled(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.set(false);
  }

  private async sync(): Promise<void> {
    if (!this.want && this.sub) {
      const s = this.sub;
      this.sub = undefined;
      await s.unsubscribe().catch(this.o.error);
      return;
    }
    if (!this.want || this.sub) return;
    try {
      this.sub = await this.subscribe();
      this.o.resumed();
    } catch (err) {
      this.o.error(err);
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        if (this.want) void this.set(true);
      }, this.o.retryMs ?? 1000).unref();
    }
  }

  private subscribe(): Promise<Subscription> {
    const cb = (err: Error | null, events: readonly WatchEvent[]) => {
      if (err) this.o.error(err);
      else this.o.events(events);
    };
    switch (this.o.source) {
      case 'parcel':
        return subscribe(this.o.root, cb);
      case 'fs-watch':
        return subscribeDirs(this.o.root, cb, { retryMs: this.o.retryMs });
      default:
        return subscribeDirsInThread(this.o.root, cb, { retryMs: this.o.retryMs, pauseMs: this.o.pauseMs });
    }
  }
}
