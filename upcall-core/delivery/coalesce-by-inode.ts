import {
  asyncScheduler,
  type MonoTypeOperatorFunction,
  Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { InodeInvalidation, InodeKey, Invalidation } from '../types';
import { canMerge, type Mutable, mergeInto } from './merge-invalidations';

export interface CoalesceConfig {
  /** Longest an event may be held back, in ms. */
  windowMs: number;
  /** Most inodes held at once; reaching it emits everything held at once. Default 1,024. */
  maxPending?: number;
  scheduler?: SchedulerLike;
  /** Told how many events were folded into earlier ones (for metrics). */
  onCoalesced?: (n: number) => void;
}

/**
 * Merges bursts for one inode: the first event for an inode opens a window of `windowMs`;
 * compatible events for that inode arriving inside it are folded in (flags OR-ed, newest stat
 * kept); at the end of the window everything held is emitted in arrival order. Bounded in time
 * (no event waits longer than the window) and in memory (`maxPending`). A flush-all drops what
 * is held — it supersedes it — and passes through at once, as do errors and completion (after
 * emitting what is held).
 *
 * ```ts
 * core.events('head-1/nfs').pipe(coalesceByInode({ windowMs: 2 })).subscribe(evict);
 * ```
 */
export function coalesceByInode<S>(cfg: CoalesceConfig): MonoTypeOperatorFunction<Invalidation<S>> {
  const { windowMs, maxPending = 1024, scheduler = asyncScheduler, onCoalesced } = cfg;
  if (!(windowMs >= 0) || !Number.isInteger(maxPending) || maxPending < 1) {
    throw new RangeError(`coalesceByInode: windowMs must be >= 0 and maxPending a positive integer`);
  }
  return (source) =>
    new Observable<Invalidation<S>>((out) => {
      let held: Mutable<InodeInvalidation<S>>[] = [];
      let byInode = new Map<InodeKey, Mutable<InodeInvalidation<S>>>();
      let timer: Subscription | undefined;

      const emitHeld = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        const batch = held;
        held = [];
        byInode = new Map();
        for (const ev of batch) out.next(ev);
      };

      const hold = (ev: InodeInvalidation<S>): void => {
        const prior = byInode.get(ev.inode);
        if (prior !== undefined && canMerge(prior, ev)) {
          mergeInto(prior, ev);
          onCoalesced?.(1);
          return;
        }
        const copy: Mutable<InodeInvalidation<S>> = { ...ev };
        held.push(copy);
        byInode.set(ev.inode, copy);
        if (held.length >= maxPending) emitHeld();
        else if (timer === undefined) timer = scheduler.schedule(emitHeld, windowMs);
      };

      const sub = source.subscribe({
        next(ev) {
          if (ev.kind === 'inode') return hold(ev);
          timer?.unsubscribe();
          timer = undefined;
          held = [];
          byInode = new Map();
          out.next(ev);
        },
        error(err) {
          emitHeld();
          out.error(err);
        },
        complete() {
          emitHeld();
          out.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        sub.unsubscribe();
      };
    });
}
