import { type LuaScript, SCRIPTS } from './lua-scripts';

type Run = (s: LuaScript, args: (string | number)[]) => Promise<unknown>;

type Op =
  | {
      readonly kind: 'touch';
      readonly client: string;
      readonly timeoutMs: number;
      readonly keys: string[];
      readonly done: ((missedFlags: number) => void)[];
    }
  | {
      readonly kind: 'change';
      readonly timeoutMs: number;
      readonly fields: (string | number)[];
      readonly done: (r: Published) => void;
    }
  | {
      readonly kind: 'call';
      readonly script: LuaScript;
      readonly args: (string | number)[];
      readonly done: (targets: number) => void;
    };

/**
 * What the store decided for one change: the targets it was delivered to (-1: failed), how many
 * must acknowledge, how many it left out because they were told already, and the quiet-write
 * grant it gave the originator: its flags (0: none) and id (CHANGE_LUA).
 */
export interface Published {
  readonly targets: number;
  readonly acks: number;
  readonly already: number;
  readonly granted: number;
  readonly grantId: number;
}

const FAILED: Published = { targets: -1, acks: 0, already: 0, granted: 0, grantId: 0 };

/** Acknowledgements of the recalls a registration sends (quiet-grants.ts), waited for in bounds. */
export interface RecallAcks {
  begin(): { seq: number; token: string };
  wait(seq: number, acks: number, timeoutMs: number): Promise<void>;
  end(seq: number): void;
}

/** Most changes in one script call: a script blocks Redis while it runs (~30 µs a change). */
const MAX_BATCH = 64;

/** What every change script call starts with: namespace, T, trimming, stream ttl, grant. */
export type ChangeHeader = (timeoutMs: number) => (string | number)[];

/** The stream arguments a registration's recalls need: trimming, stream ttl. */
export type StreamArgs = (timeoutMs: number) => (string | number)[];

/**
 * Registrations, changes and forgets in the order this head made them, sent once per turn of
 * the event loop: the fops that completed in one turn share one script call per kind, so a
 * write pays a share of one Redis command instead of a whole one (the client library's cost per
 * command, not Redis's, was most of what publishing cost). Order is kept — a registration made
 * before a change reaches Redis before it — and a turn adds at most one loop iteration of delay.
 */
export class OpQueue {
  private ops: Op[] = [];
  private scheduled = false;

  constructor(
    private readonly ns: string,
    private readonly run: Run,
    private readonly header: ChangeHeader,
    private readonly onError: (what: string, err: unknown) => void,
    private readonly streamArgs: StreamArgs,
    private readonly recallAcks?: RecallAcks,
  ) {}

  /**
   * Resolves once Redis holds the registration (or failed to: logged, the read goes on), with
   * the flags of changes left out for this client on `key` since it was last told (0: none).
   */
  touch(client: string, timeoutMs: number, key: string): Promise<number> {
    return new Promise((resolve) => {
      const last = this.ops[this.ops.length - 1];
      if (last?.kind === 'touch' && last.client === client && last.timeoutMs === timeoutMs) {
        last.keys.push(key);
        last.done.push(resolve);
      } else this.push({ kind: 'touch', client, timeoutMs, keys: [key], done: [resolve] });
    });
  }

  /** `fields`: origin, entry, payload, inode, parent, oldParent, ack token, told (see CHANGE_LUA). Resolves with the targets, -1 on failure. */
  change(timeoutMs: number, fields: (string | number)[]): Promise<Published> {
    return new Promise((done) => this.push({ kind: 'change', timeoutMs, fields, done }));
  }

  call(script: LuaScript, args: (string | number)[]): Promise<number> {
    return new Promise((done) => this.push({ kind: 'call', script, args, done }));
  }

  private push(op: Op): void {
    this.ops.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything queued, in order (also called by sync() and close()). */
  flush(): void {
    this.scheduled = false;
    const ops = this.ops;
    this.ops = [];
    let i = 0;
    while (i < ops.length) {
      const op = ops[i];
      if (op.kind === 'touch') {
        this.sendTouch(op);
        i++;
      } else if (op.kind === 'call') {
        this.run(op.script, op.args)
          .then(Number, (err) => {
            this.onError(`${op.script.name} failed`, err);
            return -1;
          })
          .then(op.done);
        i++;
      } else {
        const batch: (typeof op)[] = [];
        const args = this.header(op.timeoutMs);
        for (let next = ops[i]; batch.length < MAX_BATCH && next?.kind === 'change'; next = ops[++i]) {
          if (next.timeoutMs !== op.timeoutMs) break;
          batch.push(next);
          args.push(...next.fields);
        }
        this.run(SCRIPTS.change, args).then(
          (counts) => {
            const n = counts as unknown[];
            for (const [k, c] of batch.entries()) {
              c.done({
                targets: Number(n[5 * k] ?? -1),
                acks: Number(n[5 * k + 1] ?? 0),
                already: Number(n[5 * k + 2] ?? 0),
                granted: Number(n[5 * k + 3] ?? 0),
                grantId: Number(n[5 * k + 4] ?? 0),
              });
            }
          },
          (err) => {
            this.onError('change failed', err);
            for (const c of batch) c.done(FAILED);
          },
        );
      }
    }
  }

  /**
   * One registration script call. When it recalled quiet-write grants, the reads behind it wait
   * for the holders' acknowledgements (or the leases' end) before they go on: the holders' unsent
   * changes are complete by then. Each read gets the flags left out for it on its inode (told
   * once, recalled grants); RedisTransport.touch evicts once more for a read that fetched first.
   */
  private sendTouch(op: Extract<Op, { kind: 'touch' }>): void {
    const { done, keys } = op;
    const ack = this.recallAcks?.begin();
    const args = [
      this.ns,
      op.client,
      op.timeoutMs,
      ack?.token ?? '',
      ...this.streamArgs(op.timeoutMs),
      ...keys,
    ];
    this.run(SCRIPTS.touch, args)
      .then(parseTouched, (err) => {
        this.onError('registration failed', err);
        return undefined;
      })
      .then(async (t) => {
        if (ack && t && t.recalls > 0) await this.recallAcks!.wait(ack.seq, t.recalls, t.waitMs + 1);
        else if (ack) this.recallAcks!.end(ack.seq);
        for (const [k, d] of done.entries()) d(t?.missed?.get(keys[k]) ?? 0);
      });
  }
}

/** TOUCH_LUA's reply: recalls sent, longest lease left (ms), then key, flags... to evict once more. */
interface Touched {
  readonly recalls: number;
  readonly waitMs: number;
  readonly missed: Map<string, number> | undefined;
}

function parseTouched(reply: unknown): Touched {
  const flat = reply as (string | number)[];
  if (!Array.isArray(flat) || flat.length <= 2) return { recalls: 0, waitMs: 0, missed: undefined };
  const missed = new Map<string, number>();
  for (let i = 2; i + 1 < flat.length; i += 2) missed.set(String(flat[i]), Number(flat[i + 1]));
  return { recalls: Number(flat[0]), waitMs: Number(flat[1]), missed };
}
