/**
 * One client's TCP connection: record marking in, dispatch, replies out, and flow control.
 *
 * Calls run concurrently and are answered in completion order, each reply carrying its xid
 * (RFC 5531 §9: the xid is the only match between call and reply). Flow control is one rule:
 * take the next record only while fewer than `maxOutstanding` calls (and `maxOutstandingBytes`
 * of their records) are in flight and the socket is not congested; otherwise pause reading, so
 * the kernel's receive window pushes back on the client. Nothing queues without bound.
 *
 * Replies produced in one tick are appended, record marks included, to one writer and leave in
 * one `socket.write`: right after a chunk of calls is handled, or in a setImmediate for replies
 * of asynchronous procedures.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'winston';
import { AuthSysCache } from './auth-sys';
import { CallDeniedError, CallDroppedError, FramingError } from './errors';
import type { ProgramTable } from './program-table';
import { RecordDecoder } from './record-marking';
import { describeError, ReplyWriter } from './reply-writer';
import { AcceptStat } from './rpc-constants';
import { type CallHeader, type CallOrigin, decodeCallHeader } from './rpc-message';
import type { Procedure } from './types';
import { XdrReaderImpl } from './xdr-reader';
import { XdrWriterImpl } from './xdr-writer';

export interface ConnectionLimits {
  readonly maxRecordSize: number;
  readonly maxFragments: number;
  readonly maxOutstanding: number;
  readonly maxOutstandingBytes: number;
}

/** Pending output past which replies leave before the next record is handled. */
const FLUSH_THRESHOLD = 256 * 1024;
const OUTPUT_CAPACITY = 64 * 1024;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v instanceof Promise ||
    (typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function')
  );
}

export class RpcConnection implements CallOrigin {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly authCache = new AuthSysCache();
  private readonly decoder: RecordDecoder;
  private readonly reader = new XdrReaderImpl();
  private readonly out = new XdrWriterImpl(OUTPUT_CAPACITY);
  private readonly log: Logger;
  private readonly reply: ReplyWriter;
  private outstanding = 0;
  private outstandingBytes = 0;
  private readingPaused = false;
  private writeBlocked = false;
  private closed = false;
  /** The client half-closed: answer what it sent, then close our side. */
  private peerEnded = false;
  private flushTimer: NodeJS.Immediate | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly table: ProgramTable,
    private readonly limits: ConnectionLimits,
    parentLog: Logger,
    private readonly onClosed: (c: RpcConnection) => void,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.log = parentLog.child({ client: `${this.remoteAddress}:${this.remotePort}` });
    this.decoder = new RecordDecoder(limits);
    this.reply = new ReplyWriter(this.out, this.log, (prog) => table.get(prog)?.program.name);
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** Calls taken and not yet answered. */
  get outstandingCalls(): number {
    return this.outstanding;
  }

  /** Closes the connection; calls still running are answered nowhere. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.decoder.push(chunk);
    this.pump();
  };

  private readonly onDrain = (): void => {
    this.writeBlocked = false;
    this.pump();
  };

  /** Needs the server's `allowHalfOpen`: without it Node would close before async replies leave. */
  private readonly onEnd = (): void => {
    this.peerEnded = true;
    this.pump();
  };

  private readonly onError = (err: Error): void => {
    // ECONNRESET and friends: the 'close' that follows does the cleanup.
    if (this.log.isDebugEnabled()) this.log.debug('socket error', { cause: describeError(err) });
  };

  private readonly onClose = (): void => {
    this.closed = true;
    if (this.decoder.midRecord && this.log.isDebugEnabled()) {
      this.log.debug('peer left with a record unfinished', { buffered: this.decoder.bufferedBytes });
    }
    this.decoder.clear();
    if (this.flushTimer !== null) clearImmediate(this.flushTimer);
    this.flushTimer = null;
    this.onClosed(this);
  };

  private readonly onFlushTimer = (): void => {
    this.flushTimer = null;
    this.flush();
    this.updateReading();
  };

  /** Handles buffered records while flow control allows, sends what they produced. */
  private pump(): void {
    const { maxOutstanding, maxOutstandingBytes } = this.limits;
    let idle = false;
    try {
      while (
        !this.closed &&
        !this.writeBlocked &&
        this.outstanding < maxOutstanding &&
        this.outstandingBytes < maxOutstandingBytes
      ) {
        const record = this.decoder.next();
        if (record === null) {
          idle = true;
          break;
        }
        this.handleRecord(record);
        if (this.out.length >= FLUSH_THRESHOLD) this.flush();
      }
    } catch (err) {
      if (err instanceof FramingError) {
        this.log.warn('closing connection: record framing broken', { cause: describeError(err) });
        this.destroy();
      } else {
        this.internalError(err);
      }
      return;
    }
    this.flush();
    if (idle && this.peerEnded && this.outstanding === 0) {
      // Every call the client sent is answered (a partial last record is ignored).
      this.closed = true;
      this.socket.end();
      return;
    }
    this.updateReading();
  }

  private handleRecord(record: Buffer): void {
    const r = this.reader.reset(record);
    let call: CallHeader;
    try {
      call = decodeCallHeader(r, this);
    } catch (err) {
      if (err instanceof CallDeniedError) {
        this.reply.denied(err);
      } else if (err instanceof CallDroppedError) {
        if (this.log.isDebugEnabled()) this.log.debug('record dropped', { cause: err.message });
      } else {
        throw err;
      }
      return;
    }
    const entry = this.table.get(call.prog);
    if (entry === undefined) {
      this.reply.status(call.xid, AcceptStat.PROG_UNAVAIL);
      return;
    }
    const procedures = entry.program.versions.get(call.vers);
    if (procedures === undefined) {
      this.reply.progMismatch(call.xid, entry.low, entry.high);
      return;
    }
    const proc = procedures[call.proc];
    if (!proc) {
      this.reply.status(call.xid, AcceptStat.PROC_UNAVAIL);
      return;
    }
    let args: unknown;
    try {
      args = proc.decode(r);
    } catch (err) {
      this.reply.garbageArgs(call, proc, err);
      return;
    }
    let result: unknown;
    try {
      result = proc.run(args, call);
    } catch (err) {
      this.reply.failure(call, proc, err);
      return;
    }
    if (isThenable(result)) {
      this.outstanding++;
      this.outstandingBytes += record.length;
      void this.settle(call, proc, result, record.length);
      return;
    }
    this.reply.success(call, proc, result);
  }

  /** Waits for an asynchronous procedure; `await` rather than `then` callbacks: no closures. */
  private async settle(call: CallHeader, proc: Procedure, pending: PromiseLike<unknown>, size: number) {
    let result: unknown;
    let error: unknown;
    let failed = false;
    try {
      result = await pending;
    } catch (err) {
      failed = true;
      error = err;
    }
    this.outstanding--;
    this.outstandingBytes -= size;
    if (this.closed) return;
    try {
      if (failed) this.reply.failure(call, proc, error);
      else this.reply.success(call, proc, result);
      if ((this.readingPaused || this.peerEnded) && !this.writeBlocked) this.pump();
      else if (this.flushTimer === null) this.flushTimer = setImmediate(this.onFlushTimer);
    } catch (err) {
      this.internalError(err);
    }
  }

  private flush(): void {
    if (this.flushTimer !== null) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.closed || this.out.length === 0) return;
    if (!this.socket.write(this.out.finish())) this.writeBlocked = true;
  }

  /** Pauses or resumes reading the socket to match flow control (see the file comment). */
  private updateReading(): void {
    if (this.closed) return;
    const open =
      !this.writeBlocked &&
      this.outstanding < this.limits.maxOutstanding &&
      this.outstandingBytes < this.limits.maxOutstandingBytes;
    if (open && this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    } else if (!open && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  /** A bug in this layer: log it and drop the connection, never the process. */
  private internalError(err: unknown): void {
    try {
      this.log.error('internal error, closing connection', {
        cause: describeError(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    } catch {
      // A failing logger must not turn into an unhandled rejection.
    }
    this.destroy();
  }
}
