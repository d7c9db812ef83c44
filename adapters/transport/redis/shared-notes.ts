import type Redis from 'ioredis';

/**
 * Short-lived notes shared by every head (the gateway's own recent changes, for the export
 * watchers: adapters/watcher/shared-recent-changes.ts). Writes are batched, one script call per
 * turn of the event loop whatever the number of fops in it, and never awaited by a fop; reads
 * are one MGET. While the link is down notes are dropped and reads find none: a watcher then
 * sends what it would have suppressed (an extra eviction, never a missed one).
 */
export class SharedNotes {
  private pending: string[] = [];
  private ttlMs = 0;
  private scheduled = false;

  constructor(
    private readonly ns: string,
    private readonly cmd: () => Redis | undefined,
    private readonly write: (args: (string | number)[]) => Promise<unknown>,
    private readonly up: () => boolean,
  ) {}

  put(notes: readonly (readonly [string, string])[], ttlMs: number): void {
    if (!this.up()) return;
    for (const [k, v] of notes) this.pending.push(k, v);
    this.ttlMs = Math.max(this.ttlMs, ttlMs);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0 && this.up()) this.write([this.ns, this.ttlMs, ...batch]).catch(() => {});
  }

  async get(keys: readonly string[]): Promise<(string | null)[]> {
    const cmd = this.cmd();
    if (!this.up() || cmd === undefined) return keys.map(() => null);
    return cmd.mget(...keys.map((k) => `${this.ns}rc:${k}`)).catch(() => keys.map(() => null));
  }
}
