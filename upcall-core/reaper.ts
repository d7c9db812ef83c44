import type { SchedulerLike, Subscription } from 'rxjs';
import type { ClientTable } from './client-table';
import type { CoreCounters } from './metrics';

/** Never pass more often than this, whatever the timeout (T = 0 or 1 must not spin). */
export const MIN_REAPER_INTERVAL_MS = 500;
/** Most slots looked at per step. */
export const REAPER_STEP_SLOTS = 8192;
/** Wall-clock budget of one step, ms: a step ends early when it is spent (Map deletes cost ~0.4 µs each). */
export const REAPER_STEP_BUDGET_MS = 2;
/** Slots between budget checks. */
const CHUNK = 256;

/**
 * Rule 5, incrementally: every T/2 a pass walks the table in steps of at most REAPER_STEP_SLOTS
 * slots and REAPER_STEP_BUDGET_MS of wall time, yielding to the event loop between steps,
 * deleting clients idle for more than 2T and inodes left with none. A pass over a million
 * inodes is a few hundred short steps, never one long block.
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
    const started = performance.now();
    const maxIdle = 2 * this.timeoutMs();
    let next = from;
    const end = from + REAPER_STEP_SLOTS;
    // The budget is real time even under a virtual clock: it bounds how long we hold the loop.
    while (next < end && next < this.table.slotRange) {
      const removed = this.table.reap(next, CHUNK, now, maxIdle);
      this.counters.reapedEntries += removed.entries;
      this.counters.reapedInodes += removed.inodes;
      next += CHUNK;
      if (performance.now() - started >= REAPER_STEP_BUDGET_MS) break;
    }
    if (next < this.table.slotRange) {
      this.task = this.scheduler.schedule(() => this.step(next, passStart), 0);
      return;
    }
    this.counters.reaperPasses++;
    const wait = Math.max(0, this.intervalMs() - (this.scheduler.now() - passStart));
    this.task = this.scheduler.schedule(() => this.step(0, this.scheduler.now()), wait);
  }
}
