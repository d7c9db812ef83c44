import type { SchedulerAction, SchedulerLike } from 'rxjs';
import type { Channel } from './channel';

/**
 * Drains dirty channels on the delivery scheduler, never inside `change()` (rule 8: delivery
 * never slows the fop, and subscriber code never runs in the caller's stack). One scheduled
 * task serves every channel that became dirty in the meantime, so the cost per event does not
 * grow with the number of clients.
 */
export class Dispatcher {
  private dirty: Channel<unknown>[] = [];
  private pending: { unsubscribe(): void } | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly onDelivered: (n: number) => void,
  ) {}

  markDirty(ch: Channel<unknown>): void {
    if (ch.dirty) return;
    ch.dirty = true;
    this.dirty.push(ch);
    if (this.pending === undefined) {
      this.pending = this.scheduler.schedule(
        function (this: SchedulerAction<Dispatcher>, self) {
          self!.drain();
        },
        0,
        this,
      );
    }
  }

  /** Delivers everything queued now; also used by `close()`. */
  drain(): void {
    this.pending = undefined;
    // Subscribers may cause new changes while we deliver; those land in a fresh list and a new task.
    while (this.dirty.length > 0) {
      const batch = this.dirty;
      this.dirty = [];
      for (const ch of batch) {
        ch.dirty = false;
        this.onDelivered(ch.drain());
      }
      if (this.pending !== undefined) return;
    }
  }

  cancel(): void {
    this.pending?.unsubscribe();
    this.pending = undefined;
    this.dirty = [];
  }
}
