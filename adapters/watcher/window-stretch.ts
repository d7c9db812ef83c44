/**
 * How long the export watcher gathers events before it looks at them (its window), ms.
 *
 * Each window costs an lstat per changed path and a look at the gateway's notes, whatever the
 * number of writes to that path meanwhile. While every change a window holds was the gateway's
 * own, nothing is gained by looking often: the window doubles, up to `maxMs`. The first window
 * that sends anything (a change from outside, an overflow, an error), or the first events after
 * a quiet spell longer than `maxMs`, bring it back to `minMs`. So a change made outside reaches
 * the caches within `minMs` on a quiet export, and within `maxMs` while the gateway itself keeps
 * it busy. Measured (bench/heads.ts, 2 heads, one writing 100 files): the watching head's CPU
 * went from ~500 to ~300 ms per 3 s with 30 → 100 ms windows.
 */
export class WindowStretch {
  private ms: number;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(minMs > 0) || !(maxMs >= minMs)) {
      throw new RangeError(`window: expected 0 < min <= max, got ${minMs}..${maxMs}`);
    }
    this.ms = minMs;
  }

  /** The current window length. */
  get current(): number {
    return this.ms;
  }

  /** A window opens now: its length (back to the shortest after a quiet spell). */
  open(): number {
    const t = this.now();
    if (t - this.lastAt > this.maxMs) this.ms = this.minMs;
    this.lastAt = t;
    return this.ms;
  }

  /** A window was applied; `allOwn`: it held changes, and every one was the gateway's own. */
  applied(allOwn: boolean): void {
    this.ms = allOwn ? Math.min(this.maxMs, this.ms * 2) : this.minMs;
    this.lastAt = this.now();
  }
}
