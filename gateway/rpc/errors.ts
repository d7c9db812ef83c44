/**
 * The typed errors of the RPC layer, in one place (one registry per layer). The server maps each
 * to exactly one outcome: XdrError from a procedure's decode → GARBAGE_ARGS; a FramingError →
 * close that one connection; CallDroppedError → no reply; CallDeniedError / AuthError →
 * MSG_DENIED; anything else thrown by a procedure → SYSTEM_ERR.
 */
import type { AuthStat, RejectStat } from './rpc-constants';

/** Input that is not valid XDR: past the end of the record, or over a declared maximum. */
export class XdrError extends Error {
  override readonly name = 'XdrError';
}

/** The record-marking stream (RFC 5531 §11) is broken; the connection cannot be resynchronised. */
export class FramingError extends Error {
  override readonly name: string = 'FramingError';
}

/** A record announced more bytes than we accept; raised on the fragment header, before any body. */
export class RecordTooLargeError extends FramingError {
  override readonly name = 'RecordTooLargeError';
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`record of at least ${size} bytes exceeds the maximum of ${max}`);
  }
}

/** A record split into more fragments than we accept (bounds the work per record). */
export class TooManyFragmentsError extends FramingError {
  override readonly name = 'TooManyFragmentsError';
  constructor(
    readonly count: number,
    readonly max: number,
  ) {
    super(`record has more than ${max} fragments (${count})`);
  }
}

/** A record that gets no reply at all: not a CALL, or too short to hold a call header. */
export class CallDroppedError extends Error {
  override readonly name = 'CallDroppedError';
}

/**
 * A call the server rejects before dispatch (MSG_DENIED, RFC 5531 §9): the xid is known, so a
 * reply can be sent. `authStat` is set when `rejectStat` is AUTH_ERROR.
 */
export class CallDeniedError extends Error {
  override readonly name = 'CallDeniedError';
  constructor(
    readonly xid: number,
    readonly rejectStat: RejectStat,
    readonly authStat: AuthStat | undefined,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by a procedure's `run` to refuse the caller's credentials (e.g. AUTH_TOOWEAK for
 * AUTH_NONE where AUTH_SYS is required); the server answers MSG_DENIED / AUTH_ERROR with `stat`.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly stat: AuthStat,
    message = 'authentication rejected',
  ) {
    super(message);
  }
}
