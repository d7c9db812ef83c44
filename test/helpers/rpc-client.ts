import { connect, type Socket } from 'node:net';

/**
 * A small ONC RPC v2 client over TCP for tests (RFC 5531): calls are pipelined on one
 * connection and matched to replies by xid. It deliberately shares no code with gateway/rpc —
 * its own framing, call encoding and reply decoding — so a bug on the server side cannot be
 * mirrored here and go unseen.
 *
 *   const c = await RpcClient.connect(port);
 *   const reply = await c.call(100003, 3, 1, argsBuffer, authSys({ uid: 1000, gid: 1000 }));
 *   expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS); // reply.body holds the results
 */

export const REPLY_STAT = { MSG_ACCEPTED: 0, MSG_DENIED: 1 } as const;
export const ACCEPT_STAT = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
} as const;
export const REJECT_STAT = { RPC_MISMATCH: 0, AUTH_ERROR: 1 } as const;
export const AUTH_STAT = {
  AUTH_OK: 0,
  AUTH_BADCRED: 1,
  AUTH_REJECTEDCRED: 2,
  AUTH_BADVERF: 3,
  AUTH_REJECTEDVERF: 4,
  AUTH_TOOWEAK: 5,
} as const;

/** An opaque_auth: flavor and raw body. */
export interface RpcAuth {
  readonly flavor: number;
  readonly body: Buffer;
}

export const AUTH_NONE: RpcAuth = { flavor: 0, body: Buffer.alloc(0) };

/** An AUTH_SYS (flavor 1) credential, encoded by hand (RFC 5531 appendix A). */
export function authSys(p: {
  uid: number;
  gid: number;
  gids?: readonly number[];
  machine?: string;
  stamp?: number;
}): RpcAuth {
  const name = Buffer.from(p.machine ?? 'test-client', 'utf8');
  const gids = p.gids ?? [];
  const namePadded = Math.ceil(name.length / 4) * 4;
  const body = Buffer.alloc(4 + 4 + namePadded + 12 + gids.length * 4);
  let o = body.writeUInt32BE(p.stamp ?? 0x5eed, 0);
  o = body.writeUInt32BE(name.length, o);
  name.copy(body, o);
  o += namePadded;
  o = body.writeUInt32BE(p.uid, o);
  o = body.writeUInt32BE(p.gid, o);
  o = body.writeUInt32BE(gids.length, o);
  for (const g of gids) o = body.writeUInt32BE(g, o);
  return { flavor: 1, body };
}

export interface RpcReply {
  readonly xid: number;
  /** 0 MSG_ACCEPTED, 1 MSG_DENIED. */
  readonly replyStat: number;
  /** accept_stat; -1 when the call was denied. */
  readonly acceptStat: number;
  /** reject_stat; -1 when the call was accepted. */
  readonly rejectStat: number;
  /** auth_stat of an AUTH_ERROR; -1 otherwise. */
  readonly authStat: number;
  /** low/high of PROG_MISMATCH or RPC_MISMATCH. */
  readonly mismatch: { readonly low: number; readonly high: number } | undefined;
  readonly verifier: RpcAuth | undefined;
  /** The procedure's results on SUCCESS; whatever follows the header otherwise. */
  readonly body: Buffer;
}

export interface CallOptions {
  readonly verf?: RpcAuth;
  /** Anything but 2 to provoke RPC_MISMATCH. */
  readonly rpcvers?: number;
  readonly timeoutMs?: number;
}

function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The body of a CALL message (no record mark). */
export function encodeCall(
  xid: number,
  prog: number,
  vers: number,
  proc: number,
  args: Buffer = Buffer.alloc(0),
  cred: RpcAuth = AUTH_NONE,
  options: CallOptions = {},
): Buffer {
  const verf = options.verf ?? AUTH_NONE;
  const head = Buffer.alloc(24 + 8 + pad4(cred.body.length) + 8 + pad4(verf.body.length));
  let o = 0;
  for (const v of [xid, 0, options.rpcvers ?? 2, prog, vers, proc, cred.flavor, cred.body.length]) {
    o = head.writeUInt32BE(v >>> 0, o);
  }
  cred.body.copy(head, o);
  o += pad4(cred.body.length);
  o = head.writeUInt32BE(verf.flavor, o);
  o = head.writeUInt32BE(verf.body.length, o);
  verf.body.copy(head, o);
  return Buffer.concat([head, args]);
}

/** Frames a record body as fragments of the given sizes (default: one fragment). */
export function frameRecord(body: Buffer, fragmentSizes: readonly number[] = [body.length]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  fragmentSizes.forEach((size, i) => {
    const mark = Buffer.alloc(4);
    mark.writeUInt32BE(((i === fragmentSizes.length - 1 ? 0x80000000 : 0) | size) >>> 0, 0);
    parts.push(mark, body.subarray(at, at + size));
    at += size;
  });
  if (at !== body.length) throw new Error(`fragment sizes add up to ${at}, body has ${body.length}`);
  return Buffer.concat(parts);
}

/** Decodes a REPLY message body; throws on anything that is not one. */
export function decodeReply(rec: Buffer): RpcReply {
  let o = 0;
  const u32 = () => {
    if (o + 4 > rec.length) throw new Error(`reply truncated at ${o}`);
    const v = rec.readUInt32BE(o);
    o += 4;
    return v;
  };
  const xid = u32();
  if (u32() !== 1) throw new Error(`xid ${xid}: not a REPLY`);
  const replyStat = u32();
  if (replyStat === REPLY_STAT.MSG_ACCEPTED) {
    const flavor = u32();
    const len = u32();
    const verifier = { flavor, body: rec.subarray(o, o + len) };
    o += pad4(len);
    const acceptStat = u32();
    const mismatch = acceptStat === ACCEPT_STAT.PROG_MISMATCH ? { low: u32(), high: u32() } : undefined;
    return {
      xid,
      replyStat,
      acceptStat,
      rejectStat: -1,
      authStat: -1,
      mismatch,
      verifier,
      body: rec.subarray(o),
    };
  }
  if (replyStat !== REPLY_STAT.MSG_DENIED) throw new Error(`xid ${xid}: reply_stat ${replyStat}`);
  const rejectStat = u32();
  const mismatch = rejectStat === REJECT_STAT.RPC_MISMATCH ? { low: u32(), high: u32() } : undefined;
  const authStat = rejectStat === REJECT_STAT.AUTH_ERROR ? u32() : -1;
  return {
    xid,
    replyStat,
    acceptStat: -1,
    rejectStat,
    authStat,
    mismatch,
    verifier: undefined,
    body: rec.subarray(o),
  };
}

interface Pending {
  resolve(r: RpcReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class RpcClient {
  /** Replies whose xid matched no call in progress (e.g. sent with sendRaw). */
  readonly unmatched: RpcReply[] = [];
  /** Resolves when the connection closes, from either side. */
  readonly closed: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextXid = (Math.random() * 0x7fffffff) >>> 0;
  private input: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private isClosed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const [xid, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`connection closed before the reply to xid ${xid}`));
        }
        this.pending.clear();
        resolve();
      });
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RpcClient(socket));
      });
    });
  }

  get closedYet(): boolean {
    return this.isClosed;
  }

  /** Calls `proc` of (prog, vers) and resolves with the reply carrying the same xid. */
  call(
    prog: number,
    vers: number,
    proc: number,
    args: Buffer = Buffer.alloc(0),
    auth: RpcAuth = AUTH_NONE,
    options: CallOptions = {},
  ): Promise<RpcReply> {
    const xid = this.allocXid();
    const reply = this.expect(xid, options.timeoutMs);
    this.socket.write(frameRecord(encodeCall(xid, prog, vers, proc, args, auth, options)));
    return reply;
  }

  /** A fresh xid for a call built by hand. */
  allocXid(): number {
    this.nextXid = (this.nextXid + 1) >>> 0;
    return this.nextXid;
  }

  /** Resolves with the reply to `xid` (for calls sent with sendRaw). */
  expect(xid: number, timeoutMs = 5000): Promise<RpcReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(xid);
        reject(new Error(`no reply to xid ${xid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(xid, { resolve, reject, timer });
    });
  }

  /** Writes raw bytes (framed or not) to the server. */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Stops (or restarts) reading replies, to fill the server's send buffer. */
  pauseReading(paused: boolean): void {
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  /** Half-closes after pending writes, then waits for the close. */
  async close(): Promise<void> {
    this.socket.end();
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    while (this.input.length >= 4) {
      const mark = this.input.readUInt32BE(0);
      const len = mark & 0x7fffffff;
      if (this.input.length < 4 + len) return;
      this.fragments.push(this.input.subarray(4, 4 + len));
      this.input = this.input.subarray(4 + len);
      if (mark >>> 31 === 1) {
        const rec = Buffer.concat(this.fragments);
        this.fragments = [];
        this.deliver(decodeReply(rec));
      }
    }
  }

  private deliver(reply: RpcReply): void {
    const p = this.pending.get(reply.xid);
    if (!p) {
      this.unmatched.push(reply);
      return;
    }
    this.pending.delete(reply.xid);
    clearTimeout(p.timer);
    p.resolve(reply);
  }
}
