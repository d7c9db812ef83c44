import type Redis from 'ioredis';
import type { ClientId } from '../../../upcall-core';

/** Where one attached client's deliveries stand: its stream, the last entry delivered and its number. */
interface Tail {
  readonly client: ClientId;
  readonly key: string;
  lastId: string;
  lastN: number;
  /** False until the stream's current end is known (entries before attaching are not ours to replay). */
  ready: boolean;
  refs: number;
}

export interface StreamReaderHooks {
  /** One delivery for `client`: its store time (µs), payload and ack token if any, in stream order. */
  entry(client: ClientId, atUs: number, payload: string, ack: string | undefined): void;
  /** A recall of `client`'s quiet-write grant `grantId` on `inode` (quiet-grants.ts), with its ack token. */
  recall(client: ClientId, inode: string, grantId: number, ack: string | undefined): void;
  /** `client`'s numbering skipped (trimmed past us, or the counter expired): it may have missed some. */
  gap(client: ClientId): void;
  /** Someone asked every head to flush (changes were dropped while its link was down). */
  broadcast(): void;
  /** XREAD failed other than by the link going down (counted, logged by the owner). */
  error(err: unknown): void;
}

const BATCH = 1000;

/**
 * Brings deliveries back from Redis for this head's attached clients: one XREAD BLOCK on a
 * dedicated connection over every attached client's stream (plus the broadcast stream), from the
 * last delivered ID, so after a reconnect it simply replays what it missed. Each entry carries its
 * stream's running number: a skip means entries were trimmed before we read them — a gap, which
 * the owner turns into a flush-all.
 *
 * A new attachment starts at the stream's current end. The blocked read is interrupted with
 * CLIENT UNBLOCK so it is reissued over the new set; `blockMs` bounds the wait if that races.
 */
export class StreamReader {
  private readonly tails = new Map<ClientId, Tail>();
  private readonly byKey = new Map<string, Tail>();
  private bcastId = '0-0';
  private readerId: number | undefined;
  private blocked = false;
  private running = false;
  private up = false;
  private wake: (() => void) | undefined;
  /** Abandons the XREAD in flight: ioredis never settles a command the link dropped (no resend). */
  private abandon: (() => void) | undefined;

  constructor(
    private readonly reader: Redis,
    private readonly cmd: Redis,
    private readonly ns: string,
    private readonly hooks: StreamReaderHooks,
    private readonly blockMs = 1000,
  ) {}

  get attached(): number {
    return this.tails.size;
  }

  attach(client: ClientId): void {
    const had = this.tails.get(client);
    if (had) {
      had.refs++;
      return;
    }
    const t: Tail = { client, key: `${this.ns}s:${client}`, lastId: '0-0', lastN: 0, ready: false, refs: 1 };
    this.tails.set(client, t);
    this.byKey.set(t.key, t);
    // Sent on the command connection, so it is ordered before any change this head sends next.
    this.cmd.xrevrange(t.key, '+', '-', 'COUNT', 1).then(
      (last) => {
        if (last.length > 0) {
          t.lastId = last[0][0];
          t.lastN = Number(fieldOf(last[0][1], 'n') ?? 0);
        }
        t.ready = true;
        this.poke();
      },
      () => {
        // Could not learn where the stream ends: read it all; the numbering tells if that is a gap.
        t.ready = true;
        this.poke();
      },
    );
  }

  detach(client: ClientId): void {
    const t = this.tails.get(client);
    if (!t || --t.refs > 0) return;
    this.tails.delete(client);
    this.byKey.delete(t.key);
    this.poke();
  }

  /** The store lost its state (new epoch): every stream starts over from its beginning. */
  restartStreams(): void {
    for (const t of this.tails.values()) {
      t.lastId = '0-0';
      t.lastN = 0;
    }
    this.bcastId = '0-0';
  }

  /** Starts the broadcast stream at its current end (first connection: older broadcasts are not for us). */
  async skipOldBroadcasts(): Promise<void> {
    const last = await this.cmd.xrevrange(`${this.ns}bcast`, '+', '-', 'COUNT', 1);
    this.bcastId = last.length > 0 ? last[0][0] : '0-0';
  }

  /** The link is up again (resynchronised) or went down. */
  setUp(up: boolean, readerId?: number): void {
    this.up = up;
    if (readerId !== undefined) this.readerId = readerId;
    if (up) this.poke();
    else this.abandon?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.poke();
    this.abandon?.();
  }

  /** Wakes the loop: it re-reads the set of streams. */
  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
    if (this.blocked && this.readerId !== undefined && this.up) {
      this.cmd.client('UNBLOCK', this.readerId).catch(() => {});
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const ready = [...this.tails.values()].filter((t) => t.ready);
      if (!this.up) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      const keys = [...ready.map((t) => t.key), `${this.ns}bcast`];
      const ids = [...ready.map((t) => t.lastId), this.bcastId];
      let reply: [string, [string, string[]][]][] | null;
      this.blocked = true;
      const abandoned = new Promise<'abandoned'>((r) => (this.abandon = () => r('abandoned')));
      try {
        const read = this.reader.xread('COUNT', BATCH, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...ids);
        read.catch(() => {}); // if abandoned, a late failure is nobody's business
        const r = await Promise.race([read, abandoned]);
        this.abandon = undefined;
        if (r === 'abandoned') {
          this.blocked = false;
          continue; // link down or stopping: nothing of that read is delivered
        }
        reply = r;
      } catch (err) {
        this.abandon = undefined;
        this.blocked = false;
        // Link down: the owner flips `up` and the loop waits; anything else is reported.
        if (this.up && this.running) {
          this.hooks.error(err);
          await new Promise((r) => setTimeout(r, 100));
        }
        continue;
      }
      this.blocked = false;
      if (reply) this.dispatch(reply);
    }
  }

  private dispatch(reply: [string, [string, string[]][]][]): void {
    for (const [key, entries] of reply) {
      if (key === `${this.ns}bcast`) {
        if (entries.length > 0) {
          this.bcastId = entries[entries.length - 1][0];
          this.hooks.broadcast();
        }
        continue;
      }
      const t = this.byKey.get(key);
      if (!t) continue; // detached meanwhile
      for (const [id, fields] of entries) {
        const n = Number(fieldOf(fields, 'n'));
        if (n !== t.lastN + 1) this.hooks.gap(t.client);
        t.lastN = n;
        t.lastId = id;
        const recalled = fieldOf(fields, 'r');
        if (recalled !== undefined)
          this.hooks.recall(t.client, recalled, Number(fieldOf(fields, 'g')), fieldOf(fields, 'k'));
        else
          this.hooks.entry(
            t.client,
            Number(fieldOf(fields, 't')),
            fieldOf(fields, 'd') ?? '',
            fieldOf(fields, 'k'),
          );
      }
    }
  }
}

/** A field of a stream entry by name (entries are flat [name, value, name, value...] lists). */
function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
