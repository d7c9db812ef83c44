import { BehaviorSubject, type Observable } from 'rxjs';
import type { Logger } from 'winston';

/**
 * The shared lease the export watchers of one machine and export compete for (Redis:
 * RedisLease). Implementations answer for the shared store; the election keeps the local view.
 */
export interface WatcherLease {
  /** Takes the lease if free, or renews it if this head holds it, for `ttlMs`: whether this head holds it now. */
  claim(ttlMs: number): Promise<boolean>;
  /** Gives the lease up if this head holds it (a clean handover: the next head need not wait for it to expire). */
  release(): Promise<void>;
  /** Leases taken over from a holder found dead before its lease ran out, if the lease can tell. */
  readonly deadHolders?: number;
  /**
   * Handover (optional): a head that changes the export `rate` times per second asks for the
   * lease for `ttlMs` (the busiest ask stands); `asked` tells the holder another head's standing
   * ask, if any.
   */
  ask?(rate: number, ttlMs: number): Promise<void>;
  asked?(): Promise<number | undefined>;
}

export interface WatcherElectionOptions {
  readonly lease: WatcherLease;
  /** Every head flushes all its caches (Redis: the broadcast stream). */
  readonly flushEveryHead: () => Promise<unknown>;
  /** How long a claim holds without renewal, ms. Default 6000. */
  readonly leaseMs?: number;
  /** How often the holder renews and the others try to take over, ms. Default 2000. */
  readonly intervalMs?: number;
  /**
   * How many changes this head has made so far (a counter: its noted changes). With it, a head
   * that changes the export at least `handoverRate` per second and twice as often as the holder
   * is handed the lease (see `handOver`).
   */
  readonly busy?: () => number;
  /** Changes per second below which no head asks for the lease; 0: no handovers. Default 500. */
  readonly handoverRate?: number;
  /**
   * How long a head handed the lease keeps it before it hands it on, ms: two heads taking turns
   * being the busiest cost every head's caches a flush per handover, at most this often. Default 30,000.
   */
  readonly handoverHoldMs?: number;
  readonly logger?: Logger;
}

export interface WatcherElectionStats {
  /** Whether this head is the one watching the export for its machine. */
  readonly elected: boolean;
  /** Times this head became the watcher (at start included). */
  readonly takeovers: number;
  /** Times it lost the lease while running (renewal failed, late, or taken). */
  readonly lost: number;
  /** "Every head flushes" sent once this head's watch was in place. */
  readonly flushesSent: number;
  /** Takeovers from a watcher found dead (its connection gone) before its lease ran out. */
  readonly deadHolders: number;
  /** Times this head gave the lease up to a busier head. */
  readonly handovers: number;
  /** This head's changes per second over the last interval (when `busy` is given). */
  readonly rate: number;
}

/**
 * One export watcher per (machine, export) among the heads there: every head's caches get the
 * changes a watcher finds through the shared core anyway, and each watcher costs every gateway
 * write an inotify event (WatchSwitch). The holder of the lease watches; the others check every
 * `intervalMs` and take over once it is gone: at the next check when the lease can tell the
 * holder died (RedisLease: its connection is gone), else once it ran out (≤ leaseMs + intervalMs).
 *
 * A renewal that fails, answers "not yours", or is still pending at the next tick (a link that
 * hangs) ends this head's term at once, well before the lease can run out and another head take
 * over: two watchers at once cost only duplicate evictions, and a head whose Redis link is down
 * serves no cache anyway. Whoever becomes the watcher asks every head to flush once its watch is
 * in place (`flushEveryHead()`): what changed while nobody watched was seen by nobody.
 *
 * Which head watches matters for cost: the watcher sees every gateway write as an inotify event,
 * lstats it and looks for its note — locally for its own head's writes, in Redis for the others'.
 * With one head writing and another watching, the writes cost ~12 % against ~3 % when the writer
 * watches (bench/heads.ts write1, paired runs). So a head changing the export at least
 * `handoverRate`/s and twice as often as the holder asks for the lease, and the holder hands it
 * over (`handOver`); it then stays out for a lease, leaving the asker the next claim. One
 * handover costs one flush of every head's caches (the new watcher's, as any takeover), so a
 * head handed the lease keeps it for `handoverHoldMs` (30 s) whoever gets busier meanwhile.
 */
export class WatcherElection {
  private readonly held = new BehaviorSubject(false);
  private readonly leaseMs: number;
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private pending = false;
  private closed = false;
  private takeovers = 0;
  private handovers = 0;
  /** Changes per second over the last interval, and the counter and time it was taken at. */
  private rate = 0;
  private lastBusy?: { n: number; at: number };
  /** Until when this head does not claim (it just handed the lease over). */
  private yieldUntil = 0;
  /** Whether this head's last claim came with an ask standing; until when it keeps a lease so taken. */
  private asking = false;
  private holdUntil = 0;
  private lost = 0;
  private flushesSent = 0;

  private constructor(private readonly o: WatcherElectionOptions) {
    this.leaseMs = o.leaseMs ?? 6000;
    this.intervalMs = o.intervalMs ?? 2000;
    if (this.intervalMs * 2 >= this.leaseMs)
      throw new RangeError('watcher lease: renew at least twice per lease');
  }

  /** Starts competing; resolves after the first claim, so `elected` is this head's answer at start. */
  static async start(o: WatcherElectionOptions): Promise<WatcherElection> {
    const e = new WatcherElection(o);
    await e.tick();
    e.timer = setInterval(() => void e.tick(), e.intervalMs).unref();
    return e;
  }

  get elected(): boolean {
    return this.held.value;
  }

  /** Whether this head holds the lease: its current value at once, then every change. */
  get elected$(): Observable<boolean> {
    return this.held;
  }

  /**
   * Every head flushes: this head's watch came in place after it was elected (or back on), or it
   * lost events (overflow, error) that concern every head's caches, as it watches for them all.
   */
  flushEveryHead(): void {
    if (this.closed) return;
    this.flushesSent++;
    this.o.flushEveryHead().catch((err) =>
      this.o.logger?.warn('watcher: asking every head to flush failed', {
        part: 'watcher',
        err: String(err),
      }),
    );
  }

  stats(): WatcherElectionStats {
    return {
      elected: this.held.value,
      takeovers: this.takeovers,
      lost: this.lost,
      flushesSent: this.flushesSent,
      deadHolders: this.o.lease.deadHolders ?? 0,
      handovers: this.handovers,
      rate: Math.round(this.rate),
    };
  }

  /** Stops competing and hands the lease over (call once this head's watch is off). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const was = this.held.value;
    this.held.next(false);
    this.held.complete();
    if (was) await this.o.lease.release().catch(() => {}); // left to expire otherwise
  }

  private async tick(): Promise<void> {
    if (this.pending) {
      // The last claim has not come back within a whole interval: no longer sure to hold it.
      this.set(false, 'renewal pending too long');
      return;
    }
    this.pending = true;
    try {
      this.measure();
      if (this.held.value && (await this.handOver())) return;
      if (!this.held.value && Date.now() < this.yieldUntil) return;
      const was = this.held.value;
      this.set(await this.o.lease.claim(this.leaseMs), 'lease taken or expired');
      if (!was && this.held.value && this.asking)
        this.holdUntil = Date.now() + (this.o.handoverHoldMs ?? 30_000);
      this.asking =
        !this.held.value && this.handoverRate > 0 && !!this.o.busy && this.rate >= this.handoverRate;
      if (this.asking) await this.o.lease.ask?.(this.rate, this.leaseMs);
    } catch (err) {
      this.set(false, `renewal failed: ${String(err)}`);
    } finally {
      this.pending = false;
    }
  }

  private get handoverRate(): number {
    return this.o.handoverRate ?? 500;
  }

  /** This head's changes per second since the last tick. */
  private measure(): void {
    if (!this.o.busy) return;
    const now = { n: this.o.busy(), at: Date.now() };
    if (this.lastBusy && now.at > this.lastBusy.at)
      this.rate = ((now.n - this.lastBusy.n) * 1000) / (now.at - this.lastBusy.at);
    this.lastBusy = now;
  }

  /**
   * The holder gives the lease up when another head asks for it at least `handoverRate`/s and
   * at twice this head's rate (no back and forth between heads about as busy), and stays out
   * for one lease so the asker's next claim gets it — unless it was handed the lease itself less
   * than `handoverHoldMs` ago. Whether it did.
   */
  private async handOver(): Promise<boolean> {
    if (Date.now() < this.holdUntil) return false;
    const asked = await this.o.lease.asked?.();
    const min = this.handoverRate;
    if (min <= 0 || asked === undefined || asked < min || asked < 2 * this.rate) return false;
    this.handovers++;
    this.yieldUntil = Date.now() + this.leaseMs;
    this.set(
      false,
      `handed over to a head changing the export ${Math.round(asked)}/s (this one ${Math.round(this.rate)}/s)`,
      false,
    );
    await this.o.lease.release();
    return true;
  }

  private set(held: boolean, why: string, lost = true): void {
    if (this.closed || held === this.held.value) return;
    if (held) this.takeovers++;
    else if (lost) this.lost++;
    this.o.logger?.info(
      held ? 'this head now watches the export' : `this head stops watching the export: ${why}`,
      {
        part: 'watcher',
      },
    );
    this.held.next(held);
  }
}
