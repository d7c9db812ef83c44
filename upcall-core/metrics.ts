import { ALL_FLAGS, flagNames } from './flags';
import type { UpcallStats } from './types';

/**
 * The core's counters: plain numbers bumped on the hot path; the flag breakdown is kept per
 * distinct flags value and expanded into per-bit counts only when a snapshot is taken.
 */
export class CoreCounters {
  changes = 0;
  notifications = 0;
  coalesced = 0;
  overflowed = 0;
  flushAll = 0;
  forgets = 0;
  reapedEntries = 0;
  reapedInodes = 0;
  reaperPasses = 0;
  undeliverable = 0;
  subscriberErrors = 0;
  /** Indexed by the whole flags value (all flags fit in 14 bits): one array increment per notification. */
  private readonly byFlags = new Float64Array(ALL_FLAGS + 1);

  countNotification(flags: number, n = 1): void {
    this.notifications += n;
    this.byFlags[flags] += n;
  }

  /** Notifications per flag name (each notification counted once per bit it carries). */
  byFlagName(): Record<string, number> {
    const out: Record<string, number> = {};
    this.byFlags.forEach((n, flags) => {
      if (n > 0) for (const name of flagNames(flags)) out[name] = (out[name] ?? 0) + n;
    });
    return out;
  }

  snapshot(
    gauges: Pick<UpcallStats, 'trackedInodes' | 'clientEntries' | 'clients' | 'subscribedClients'>,
  ): UpcallStats {
    const notificationsByFlag = this.byFlagName();
    return {
      ...gauges,
      changes: this.changes,
      notifications: this.notifications,
      notificationsByFlag,
      coalesced: this.coalesced,
      overflowed: this.overflowed,
      flushAll: this.flushAll,
      forgets: this.forgets,
      reapedEntries: this.reapedEntries,
      reapedInodes: this.reapedInodes,
      reaperPasses: this.reaperPasses,
      undeliverable: this.undeliverable,
      subscriberErrors: this.subscriberErrors,
    };
  }
}
