import type { Subscriber } from 'rxjs';
import type { FlushReason, InodeInvalidation, Invalidation } from '../types';
import { canMerge, type Mutable, mergeInto } from './merge-invalidations';

/** What a channel reports back to the core's counters. */
export interface ChannelCounters {
  coalesced: number;
  overflowed: number;
}

/**
 * One client's delivery queue. Bounded: past `capacity` queued events, the queue is dropped
 * and replaced by a single flush-all (rule 8) — memory stays bounded and nothing is lost
 * silently. A compatible event for the inode that waits last is merged into it.
 */
export class Channel<S> {
  private subscribers: readonly Subscriber<Invalidation<S>>[] = [];
  private queue: Invalidation<S>[] = [];
  private flush: { reason: FlushReason; seq: number; at: number } | undefined;
  /** Last sequence number handed out: events are numbered per stream, 1, 2, 3... */
  private seq = 0;
  /** Set while the channel sits in the dispatcher's dirty list. */
  dirty = false;

  constructor(
    readonly target: string,
    private readonly capacity: number,
    private readonly coalesce: boolean,
    private readonly counters: ChannelCounters,
  ) {}

  get listening(): boolean {
    return this.subscribers.length > 0;
  }

  get idle(): boolean {
    return this.subscribers.length === 0 && this.queue.length === 0 && this.flush === undefined;
  }

  add(s: Subscriber<Invalidation<S>>): void {
    this.subscribers = [...this.subscribers, s];
  }

  remove(s: Subscriber<Invalidation<S>>): void {
    this.subscribers = this.subscribers.filter((x) => x !== s);
    if (this.subscribers.length === 0) this.discard();
  }

  /** Queues `ev`; returns false when it was merged into a waiting one (no new sequence number used). */
  offer(ev: Mutable<InodeInvalidation<S>>): boolean {
    if (this.coalesce) {
      // Merging with the newest waiting event catches the common burst (one inode changed many
      // times in a row) at O(1); a per-inode index cost 15% of delivery throughput. Wider
      // windows are what the coalesceByInode operator is for.
      const last = this.queue[this.queue.length - 1];
      if (last !== undefined && last.kind === 'inode' && canMerge(last, ev)) {
        mergeInto(last as Mutable<InodeInvalidation<S>>, ev);
        this.counters.coalesced++;
        return false;
      }
    }
    if (this.flush !== undefined) return false; // everything is being flushed anyway
    if (this.queue.length >= this.capacity) {
      this.counters.overflowed++;
      this.flushAll('overflow', ev.at);
      return false;
    }
    ev.seq = ++this.seq;
    this.queue.push(ev);
    return true;
  }

  /** Replaces whatever waits with one flush-all. */
  flushAll(reason: FlushReason, at: number): void {
    this.queue = [];
    this.flush = { reason, seq: ++this.seq, at };
  }

  /** Delivers what waits, in order, to every subscriber. */
  drain(): number {
    const subs = this.subscribers;
    const queue = this.queue;
    const flush = this.flush;
    this.queue = [];
    this.flush = undefined;
    let n = 0;
    if (flush !== undefined) {
      const ev: Invalidation<S> = {
        kind: 'flush-all',
        reason: flush.reason,
        target: this.target,
        seq: flush.seq,
        at: flush.at,
      };
      for (const s of subs) s.next(ev);
      n++;
    }
    for (const ev of queue) for (const s of subs) s.next(ev);
    return n + queue.length;
  }

  /** Ends every subscription (core closed). */
  complete(): void {
    const subs = this.subscribers;
    this.subscribers = [];
    this.discard();
    for (const s of subs) s.complete();
  }

  private discard(): void {
    this.queue = [];
    this.flush = undefined;
  }
}
