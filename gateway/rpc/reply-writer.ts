/**
 * Puts whole replies — record mark, RFC 5531 §9 reply header, results — into a connection's
 * output writer, and logs the calls that fail. It decides nothing about *when* replies leave;
 * that is RpcConnection's flow control.
 *
 * Results are encoded in place after the header; if a procedure's `encode` throws halfway, the
 * partial record is rolled back and SYSTEM_ERR goes out instead, so a client never sees a
 * truncated body under a SUCCESS header.
 */
import type { Logger } from 'winston';
import { AuthError, type CallDeniedError, XdrError } from './errors';
import { beginRecord, endRecord } from './record-marking';
import { AcceptStat } from './rpc-constants';
import {
  type CallHeader,
  writeAcceptedReply,
  writeAuthErrorReply,
  writeDeniedReply,
  writeProgMismatchReply,
} from './rpc-message';
import type { Procedure } from './types';
import type { XdrWriterImpl } from './xdr-writer';

/** An error as one log field: `Name: message`. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class ReplyWriter {
  constructor(
    private readonly out: XdrWriterImpl,
    private readonly log: Logger,
    /** The program's name for log lines, looked up only when a call fails. */
    private readonly programName: (prog: number) => string | undefined,
  ) {}

  /** SUCCESS and the procedure's results; SYSTEM_ERR if they fail to encode. */
  success(call: CallHeader, proc: Procedure, result: unknown): void {
    const out = this.out;
    const mark = beginRecord(out);
    writeAcceptedReply(out, call.xid, AcceptStat.SUCCESS);
    try {
      proc.encode(out, result);
    } catch (err) {
      out.truncate(mark);
      this.logCall('error', 'results failed to encode: SYSTEM_ERR', call, proc, err);
      this.status(call.xid, AcceptStat.SYSTEM_ERR);
      return;
    }
    endRecord(out, mark);
  }

  /** A procedure threw: AuthError → MSG_DENIED / AUTH_ERROR (a refusal); anything else → SYSTEM_ERR. */
  failure(call: CallHeader, proc: Procedure, err: unknown): void {
    const mark = beginRecord(this.out);
    if (err instanceof AuthError) {
      this.logCall('info', 'credentials refused: AUTH_ERROR', call, proc, err);
      writeAuthErrorReply(this.out, call.xid, err.stat);
    } else {
      this.logCall('error', 'procedure failed: SYSTEM_ERR', call, proc, err);
      writeAcceptedReply(this.out, call.xid, AcceptStat.SYSTEM_ERR);
    }
    endRecord(this.out, mark);
  }

  /**
   * The arguments did not decode: GARBAGE_ARGS. An XdrError is the client's fault (warn); any
   * other error escaping a decoder is our bug (error), though the client still gets GARBAGE_ARGS.
   */
  garbageArgs(call: CallHeader, proc: Procedure, err: unknown): void {
    const level = err instanceof XdrError ? 'warn' : 'error';
    this.logCall(level, 'undecodable arguments: GARBAGE_ARGS', call, proc, err);
    this.status(call.xid, AcceptStat.GARBAGE_ARGS);
  }

  /** An accepted reply with no body: PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR. */
  status(xid: number, stat: AcceptStat): void {
    const mark = beginRecord(this.out);
    writeAcceptedReply(this.out, xid, stat);
    endRecord(this.out, mark);
  }

  progMismatch(xid: number, low: number, high: number): void {
    const mark = beginRecord(this.out);
    writeProgMismatchReply(this.out, xid, low, high);
    endRecord(this.out, mark);
  }

  denied(err: CallDeniedError): void {
    const mark = beginRecord(this.out);
    writeDeniedReply(this.out, err);
    endRecord(this.out, mark);
    if (this.log.isDebugEnabled()) this.log.debug('call denied', { xid: err.xid, cause: err.message });
  }

  private logCall(level: string, msg: string, call: CallHeader, proc: Procedure, err: unknown): void {
    this.log.log(level, msg, {
      xid: call.xid,
      prog: call.prog,
      program: this.programName(call.prog),
      vers: call.vers,
      proc: call.proc,
      procedure: proc.name,
      cause: describeError(err),
    });
  }
}
