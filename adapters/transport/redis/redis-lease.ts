/**
 * A lease held by one holder at a time, in Redis (LEASE_LUA): the export watchers' election
 * (WatcherLease in adapters/watcher/watcher-election.ts, matched by shape). The key is a plain
 * string with a TTL, so a holder that dies leaves it to expire.
 */
export class RedisLease {
  constructor(
    private readonly key: string,
    private readonly holder: string,
    private readonly run: (args: (string | number)[]) => Promise<unknown>,
    /** Whether the link is up: while it is down a claim fails at once rather than waiting in the offline queue. */
    private readonly up: () => boolean,
  ) {}

  async claim(ttlMs: number): Promise<boolean> {
    if (!this.up()) return false;
    return Number(await this.run([this.key, this.holder, Math.max(1, Math.round(ttlMs))])) === 1;
  }

  async release(): Promise<void> {
    if (this.up()) await this.run([this.key, this.holder, 0]);
  }
}
