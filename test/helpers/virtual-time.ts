import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  createUpcallCore,
  type InMemoryUpcallCore,
  type Invalidation,
  type UpcallCoreConfig,
} from '../../upcall-core';

/**
 * Virtual time for the core's timing rules: one VirtualTimeScheduler is both the clock/timer
 * scheduler and the delivery scheduler, so nothing happens until the test advances time.
 */
export class VirtualTime {
  readonly scheduler = new VirtualTimeScheduler(VirtualAction, Number.POSITIVE_INFINITY);

  now(): number {
    return this.scheduler.now();
  }

  /** Runs everything due up to `now() + ms` and leaves the clock exactly there. */
  advance(ms: number): void {
    const target = this.now() + ms;
    this.scheduler.schedule(() => {}, ms);
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
    // flush() stops at the last action it ran; park the clock at the target.
    this.scheduler.frame = target;
  }

  /** Runs what is due now (deliveries) without moving the clock. */
  settle(): void {
    this.advance(0);
  }
}

export const T = 60; // seconds, the GlusterFS default
export const T_MS = T * 1000;

export function virtualCore<S = unknown>(
  extra: UpcallCoreConfig = {},
): { core: InMemoryUpcallCore<S>; time: VirtualTime } {
  const time = new VirtualTime();
  const core = createUpcallCore<S>({
    options: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': T },
    scheduler: time.scheduler,
    deliveryScheduler: time.scheduler,
    ...extra,
  });
  return { core, time };
}

/** Collects everything one client receives. */
export function record<S>(core: InMemoryUpcallCore<S>, client: string): Invalidation<S>[] {
  const got: Invalidation<S>[] = [];
  core.events(client).subscribe((ev) => got.push(ev));
  return got;
}
