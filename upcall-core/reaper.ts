import type { SchedulerLike, Subscription } from 'rxjs';
import type { ClientTable } from './client-table';
import type { CoreCounters } from './metrics';

/** Never pass more often than this, whatever the timeout (T = 0 or 1 must not spin). */
export const MIN_REAPER_INTERVAL_MS = 500;
/** Slots looked at per step: small enough that a step stays far under a millisecond or two. */
export const REAPER_STEP_SLOTS = 8192;

/**
 * Rule 5, incrementally: every T/2 a pass walks the table in steps of REAPER_STEP_SLOTS,
 * yielding to the event loop between steps, deleting clients idle for more than 2T and inodes
 * left with none. A pass on a million inodes is ~120 short steps, not one long block.
 */
export class Reaper {
  private task: Subscription | undefined;

  constructor(
    private readonly table: ClientTable,
    private readonly scheduler: SchedulerLike,
    private readonly timeoutMs: () => number,
    private readonly counters: CoreCounters,
  ) {}

  get running(): boolean {
    return this.task !== undefined;
  }

  intervalMs(): number {
    return Math.max(this.timeoutMs() / 2, MIN_REAPER_INTERVAL_MS);
  }

  /** (Re)starts the cycle with the current timeout; the first pass comes one interval from now. */
  start(): void {
    this.stop();
    this.scheduleNextPass();
  }

  stop(): void {
    this.task?.unsubscribe();
    this.task = undefined;
  }

  private scheduleNextPass(): void {
    this.task = this.scheduler.schedule(() => this.step(0, this.scheduler.now()), this.intervalMs());
  }

  private step(from: number, passStart: number): void {
    const now = this.scheduler.now();
    const removed = this.table.reap(from, REAPER_STEP_SLOTS, now, 2 * this.timeoutMs());
    this.counters.reapedEntries += removed.entries;
    this.counters.reapedInodes += removed.inodes;
    const next = from + REAPER_STEP_SLOTS;
    if (next < this.table.slotRange) {
      this.task = this.scheduler.schedule(() => this.step(next, passStart), 0);
      return;
    }
    this.counters.reaperPasses++;
    const wait = Math.max(0, this.intervalMs() - (this.scheduler.now() - passStart));
    this.task = this.scheduler.schedule(() => this.step(0, this.scheduler.now()), wait);
  }
}
