import type { LuaScript } from './lua-scripts';
import { SCRIPTS } from './lua-scripts';

/** What a RedisLease needs of its transport. */
export interface RedisLeaseLink {
  run(script: LuaScript, args: (string | number)[]): Promise<unknown>;
  /** Whether the link is up: while it is down a claim fails at once rather than waiting in the offline queue. */
  up(): boolean;
  /** The id of this head's own long-lived connection (its stream reader), stored with the lease. */
  connection(): number | undefined;
  /** Whether a connection with this id is open on the server now. */
  connectionOpen(id: number): Promise<boolean>;
  /** GET of a plain key (null when absent). */
  get(key: string): Promise<string | null>;
}

/**
 * A lease held by one holder at a time, in Redis (LEASE_LUA): the export watchers' election
 * (WatcherLease in adapters/watcher/watcher-election.ts, matched by shape). The key is a plain
 * string with a TTL, so a holder that dies leaves it to expire — or sooner: the lease names the
 * holder's connection, and a claimant that finds that connection gone (the process was killed:
 * the kernel closed its sockets) takes the lease over at once instead of waiting the TTL out.
 * A holder that merely reconnected loses the lease that way too, and stops on its next renewal.
 */
export class RedisLease {
  /** Leases taken over from a holder whose connection was gone. */
  deadHolders = 0;

  constructor(
    private readonly key: string,
    private readonly holder: string,
    private readonly link: RedisLeaseLink,
  ) {}

  async claim(ttlMs: number): Promise<boolean> {
    if (!this.link.up()) return false;
    const r = await this.take(ttlMs);
    if (r === 1) return true;
    if (typeof r !== 'string') return false;
    const id = Number(r.slice(r.lastIndexOf('#') + 1));
    if (!Number.isInteger(id) || id <= 0 || (await this.link.connectionOpen(id))) return false;
    this.deadHolders++;
    await this.link.run(SCRIPTS.leaseSteal, [this.key, r]);
    return (await this.take(ttlMs)) === 1;
  }

  /** Asks for the lease at `rate` changes/s (the busiest ask stands, key `<lease>:ask`, for ttlMs). */
  async ask(rate: number, ttlMs: number): Promise<void> {
    if (!this.link.up()) return;
    await this.link.run(SCRIPTS.leaseAsk, [
      `${this.key}:ask`,
      this.holder,
      rate,
      Math.max(1, Math.round(ttlMs)),
    ]);
  }

  /** The rate of another head's standing ask (this holder's own is not one). */
  async asked(): Promise<number | undefined> {
    if (!this.link.up()) return undefined;
    const v = await this.link.get(`${this.key}:ask`);
    const sep = v?.lastIndexOf('|') ?? -1;
    if (v == null || sep < 0 || v.slice(0, sep) === this.holder) return undefined;
    const rate = Number(v.slice(sep + 1));
    return Number.isFinite(rate) ? rate : undefined;
  }

  async release(): Promise<void> {
    if (this.link.up()) await this.link.run(SCRIPTS.lease, [this.key, this.holder, '', 0]);
  }

  private take(ttlMs: number): Promise<unknown> {
    const args = [this.key, this.holder, this.link.connection() ?? '', Math.max(1, Math.round(ttlMs))];
    return this.link.run(SCRIPTS.lease, args);
  }
}
