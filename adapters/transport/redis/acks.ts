import type Redis from 'ioredis';

/**
 * First-try coherence across heads: a head that published a change waits (bounded) until every
 * head it notified has evicted, before its fop replies. Without it the reply races the delivery:
 * a client that reads through the other head right after the reply can still find the old value
 * there (delivery p99 is a few ms, a client's next request a fraction of one).
 *
 * Protocol: each change carries a token `<head ack id>|<seq>` into every target's stream entry
 * (CHANGE_LUA); the receiving head, once the entry's eviction ran, PUBLISHes the seqs on the
 * originator's channel `ns ack:<id>` (AckSender); the originator counts them against the number
 * of targets the script returned (AckWaiter). A timeout (a target's head died, or is slow)
 * releases the fop anyway and is counted: coherence then falls back to "soon".
 */
export interface AckCounters {
  ackWaits: number;
  ackTimeouts: number;
  acksReceived: number;
}

interface Pending {
  got: number;
  need: number;
  done?: () => void;
  timer?: NodeJS.Timeout;
}

/** The originator's half: tokens handed out, acknowledgements counted, waits bounded. */
export class AckWaiter {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly id: string,
    private readonly timeoutMs: number,
    private readonly counters: AckCounters,
  ) {}

  /** A token for one change. Registered at once: an ack may arrive before the script's reply. */
  begin(): { seq: number; token: string } {
    const seq = ++this.seq;
    this.pending.set(seq, { got: 0, need: -1 });
    return { seq, token: `${this.id}|${seq}` };
  }

  /** Resolves once `targets` heads acknowledged change `seq`, or after the timeout (default: the waiter's). */
  wait(seq: number, targets: number, timeoutMs = this.timeoutMs): Promise<void> {
    const p = this.pending.get(seq);
    if (p === undefined || targets <= 0 || p.got >= targets) {
      this.pending.delete(seq);
      return Promise.resolve();
    }
    this.counters.ackWaits++;
    p.need = targets;
    return new Promise<void>((resolve) => {
      p.done = resolve;
      p.timer = setTimeout(() => {
        this.counters.ackTimeouts++;
        this.finish(seq, p);
      }, timeoutMs);
    });
  }

  /** The change was not published (link down): nothing to wait for. */
  end(seq: number): void {
    this.pending.delete(seq);
  }

  /** A message on our channel: comma-separated seqs, one per evicted delivery. */
  acked(message: string): void {
    for (const s of message.split(',')) {
      const seq = Number(s);
      const p = this.pending.get(seq);
      if (p === undefined) continue; // late: timed out already
      this.counters.acksReceived++;
      p.got++;
      if (p.need >= 0 && p.got >= p.need) this.finish(seq, p);
    }
  }

  /** Releases every waiting fop (link down, closing): they would only time out. */
  releaseAll(): void {
    for (const [seq, p] of this.pending) if (p.done) this.finish(seq, p);
  }

  private finish(seq: number, p: Pending): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(seq);
    p.done?.();
  }
}

/**
 * The receiving head's half: tokens of the entries just delivered, published once the
 * evictions ran. Deliveries reach the caches on a microtask the core's dispatcher queued while
 * the entries were handed over; a microtask queued after that one runs after it (microtasks
 * run in order), still in the same turn — a setImmediate cost a whole loop iteration, several
 * ms on a busy machine, on every write's reply. One PUBLISH per originating head per read batch.
 */
export class AckSender {
  private byHead = new Map<string, string[]>();
  private scheduled = false;

  constructor(
    private readonly cmd: () => Redis,
    private readonly ns: string,
  ) {}

  add(token: string): void {
    const bar = token.lastIndexOf('|');
    if (bar < 0) return;
    const head = token.slice(0, bar);
    const seqs = this.byHead.get(head);
    if (seqs) seqs.push(token.slice(bar + 1));
    else this.byHead.set(head, [token.slice(bar + 1)]);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.byHead;
    this.byHead = new Map();
    const cmd = this.cmd();
    for (const [head, seqs] of batch) {
      // Best effort: a lost ack only makes the originator wait its bounded timeout.
      cmd.publish(`${this.ns}ack:${head}`, seqs.join(',')).catch(() => {});
    }
  }
}
