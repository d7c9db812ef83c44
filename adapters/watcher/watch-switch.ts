import { type AsyncSubscription, type Event, subscribe } from '@parcel/watcher';

export interface WatchSwitchOptions {
  readonly root: string;
  readonly events: (events: readonly Event[]) => void;
  readonly error: (err: unknown) => void;
  /** The watch is in place again after it was off: whatever changed meanwhile went unseen. */
  readonly resumed: () => void;
  /** Wait before a failed resubscribe is tried again, ms. Default 1000. */
  readonly retryMs?: number;
}

/**
 * The @parcel/watcher subscription, held only while wanted. Measured (bench/heads.ts, writes,
 * upcalls off, 2 heads): an idle subscription alone costs the write path ~20-35 % CPU per op
 * (inotify queueing in the kernel, the library's reader thread, its per-path coalescing), so
 * dropping events in JS is not enough. Switches are serialized: the last wish wins.
 */
export class WatchSwitch {
  private sub?: AsyncSubscription;
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

  private subscribe(): Promise<AsyncSubscription> {
    return subscribe(this.o.root, (err, events) => {
      if (err) this.o.error(err);
      else this.o.events(events);
    });
  }
}
