/**
 * The read path's shortcut: which (client, inode) registrations this head refreshed in Redis
 * recently, so a read-type fop costs no Redis round trip while its registration is fresh.
 *
 * Bounded: past `max` entries the oldest sixteenth goes (a forgotten entry only costs one more
 * refresh). The consequence for caches is spelled out in plugin/cache-ttl.ts: Redis may hold a
 * registration up to one interval older than the last access, so a cache fed by such a core
 * keeps entries at most T minus that interval.
 */
export class RefreshFilter {
  private readonly last = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  get size(): number {
    return this.last.size;
  }

  /** True when `client` on `inode` must be (re)registered now; records it as refreshed at `now`. */
  due(client: string, inode: string, now: number, intervalMs: number): boolean {
    const k = `${client}\n${inode}`;
    const t = this.last.get(k);
    if (t !== undefined) {
      if (now - t < intervalMs) return false;
      this.last.delete(k); // re-inserted below: Map order is refresh order, oldest first
    } else if (this.last.size >= this.max) {
      this.evictOldest(Math.max(1, this.max >> 4));
    }
    this.last.set(k, now);
    return true;
  }

  /** The store dropped this registration (FORGET): the next access must register again. */
  drop(client: string, inode: string): void {
    this.last.delete(`${client}\n${inode}`);
  }

  clear(): void {
    this.last.clear();
  }

  private evictOldest(n: number): void {
    for (const k of this.last.keys()) {
      this.last.delete(k);
      if (--n === 0) return;
    }
  }
}
