import type Redis from 'ioredis';

/**
 * How long notes gather before one script call sends them, ms. Under the watcher's 30 ms recheck
 * (shared-recent-changes.ts), so a note sent late still arrives before the second look. 20 ms
 * against 5 ms, 2 heads writing the same 100 files (bench/heads.ts, two runs): 4–7 % more
 * writes/s, 2–9 µs less CPU per write — a hot file's note goes once per gathering, not per write.
 */
const GATHER_MS = 20;

/**
 * Short-lived notes shared by every head (the gateway's own recent changes, for the export
 * watchers: adapters/watcher/shared-recent-changes.ts). Writes are batched, one script call per
 * `gatherMs` whatever the number of fops meanwhile, and never awaited by a fop: per turn of the
 * event loop, a head under write load paid one command (a socket write) every few writes. A
 * watcher reads them at the end of its 30 ms window, and once more 30 ms later for a note of
 * another state, so gathering for less than that costs it nothing. A key noted twice in one batch is
 * sent once, with its last value (the store keeps only the newest per key anyway, and one
 * script call runs as a whole, so no reader could see the earlier); reads are one MGET. While
 * the link is down notes are dropped and reads find none: a watcher then sends what it would
 * have suppressed (an extra eviction, never a missed one).
 */
export class SharedNotes {
  private pending = new Map<string, string>();
  /** Notes not sent because a later one in the same turn replaced them. */
  coalesced = 0;
  private ttlMs = 0;
  private scheduled = false;

  constructor(
    private readonly ns: string,
    private readonly cmd: () => Redis | undefined,
    private readonly write: (args: (string | number)[]) => Promise<unknown>,
    private readonly up: () => boolean,
    private readonly gatherMs = GATHER_MS,
  ) {}

  put(notes: readonly (readonly [string, string])[], ttlMs: number): void {
    if (!this.up()) return;
    for (const [k, v] of notes) {
      if (this.pending.has(k)) this.coalesced++;
      this.pending.set(k, v);
    }
    this.ttlMs = Math.max(this.ttlMs, ttlMs);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.flush(), this.gatherMs).unref();
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0 || !this.up()) return;
    const args: (string | number)[] = [this.ns, this.ttlMs];
    for (const [k, v] of batch) args.push(k, v);
    this.write(args).catch(() => {});
  }

  async get(keys: readonly string[]): Promise<(string | null)[]> {
    const cmd = this.cmd();
    if (!this.up() || cmd === undefined) return keys.map(() => null);
    return cmd.mget(...keys.map((k) => `${this.ns}rc:${k}`)).catch(() => keys.map(() => null));
  }
}
