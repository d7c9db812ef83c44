/**
 * RFC 5531 §9: the call header a server reads and the reply headers it writes.
 *
 *   call:  xid, msg_type CALL, rpcvers (2), prog, vers, proc, cred, verf, then the arguments
 *   reply: xid, msg_type REPLY, then MSG_ACCEPTED (verf, accept_stat[, mismatch | results])
 *          or MSG_DENIED (RPC_MISMATCH low/high | AUTH_ERROR auth_stat)
 *
 * Checks run in the order Linux's svc_process uses: RPC version, then credentials, and only then
 * (in the server) program, version and procedure.
 */
import { type AuthSysCache, decodeAuthSys } from './auth-sys';
import { CallDeniedError, CallDroppedError, XdrError } from './errors';
import {
  AcceptStat,
  AuthFlavor,
  AuthStat,
  MAX_AUTH_BYTES,
  MsgType,
  RejectStat,
  ReplyStat,
  RPC_VERSION,
} from './rpc-constants';
import type { AuthSys, CallContext, XdrWriter } from './types';
import type { XdrReaderImpl } from './xdr-reader';

/** A decoded call header. It is also the CallContext handed to the procedure, so one object per call. */
export class CallHeader implements CallContext {
  constructor(
    readonly xid: number,
    readonly prog: number,
    readonly vers: number,
    readonly proc: number,
    readonly auth: AuthSys | null,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {}
}

/** Where a call came from; `authCache` lets a connection reuse decoded AUTH_SYS credentials. */
export interface CallOrigin {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly authCache?: AuthSysCache;
}

/**
 * Reads a call header and leaves `r` at the first argument byte.
 * Throws CallDroppedError (not a call, or truncated: no reply is possible or useful) or
 * CallDeniedError (answer MSG_DENIED with its xid).
 */
export function decodeCallHeader(r: XdrReaderImpl, origin: CallOrigin): CallHeader {
  if (r.remaining < 8) throw new CallDroppedError(`record of ${r.remaining} bytes has no call header`);
  const xid = r.u32();
  const msgType = r.u32();
  if (msgType !== MsgType.CALL) throw new CallDroppedError(`xid ${xid}: msg_type ${msgType} is not CALL`);
  let prog: number;
  let vers: number;
  let proc: number;
  let credFlavor: number;
  let cred: Buffer;
  let verfFlavor: number;
  let verf: Buffer;
  try {
    const rpcvers = r.u32();
    if (rpcvers !== RPC_VERSION) {
      throw new CallDeniedError(xid, RejectStat.RPC_MISMATCH, undefined, `rpcvers ${rpcvers} is not 2`);
    }
    prog = r.u32();
    vers = r.u32();
    proc = r.u32();
    // RFC 5531 §8.2: opaque_auth body<400>; checked before the body is read.
    credFlavor = r.u32();
    const credLength = r.u32();
    if (credLength > MAX_AUTH_BYTES) {
      throw new CallDeniedError(
        xid,
        RejectStat.AUTH_ERROR,
        AuthStat.AUTH_BADCRED,
        `cred of ${credLength} bytes`,
      );
    }
    cred = r.fixedOpaque(credLength);
    verfFlavor = r.u32();
    const verfLength = r.u32();
    if (verfLength > MAX_AUTH_BYTES) {
      throw new CallDeniedError(
        xid,
        RejectStat.AUTH_ERROR,
        AuthStat.AUTH_BADVERF,
        `verf of ${verfLength} bytes`,
      );
    }
    verf = r.fixedOpaque(verfLength);
  } catch (err) {
    if (err instanceof XdrError)
      throw new CallDroppedError(`xid ${xid}: truncated call header`, { cause: err });
    throw err;
  }
  const auth = authenticate(xid, credFlavor, cred, verfFlavor, verf, origin.authCache);
  return new CallHeader(xid, prog, vers, proc, auth, origin.remoteAddress, origin.remotePort);
}

/**
 * RFC 5531 §9 and appendix A. AUTH_NONE takes an empty body; AUTH_SYS must decode. Both come
 * with an empty AUTH_NONE verifier (as Linux requires). AUTH_SHORT: we never hand out shorthand
 * credentials, so any is stale → AUTH_REJECTEDCRED, which tells the client to resend full
 * AUTH_SYS. Any other flavor (AUTH_DH, RPCSEC_GSS...) → AUTH_BADCRED.
 */
function authenticate(
  xid: number,
  flavor: number,
  cred: Buffer,
  verfFlavor: number,
  verf: Buffer,
  cache: AuthSysCache | undefined,
): AuthSys | null {
  let auth: AuthSys | null;
  if (flavor === AuthFlavor.AUTH_SYS) {
    try {
      auth = cache ? cache.get(cred) : decodeAuthSys(cred);
    } catch (err) {
      throw new CallDeniedError(xid, RejectStat.AUTH_ERROR, AuthStat.AUTH_BADCRED, `bad AUTH_SYS: ${err}`);
    }
  } else if (flavor === AuthFlavor.AUTH_NONE) {
    if (cred.length !== 0) {
      throw new CallDeniedError(xid, RejectStat.AUTH_ERROR, AuthStat.AUTH_BADCRED, 'AUTH_NONE with a body');
    }
    auth = null;
  } else if (flavor === AuthFlavor.AUTH_SHORT) {
    throw new CallDeniedError(xid, RejectStat.AUTH_ERROR, AuthStat.AUTH_REJECTEDCRED, 'unknown AUTH_SHORT');
  } else {
    throw new CallDeniedError(xid, RejectStat.AUTH_ERROR, AuthStat.AUTH_BADCRED, `auth flavor ${flavor}`);
  }
  if (verfFlavor !== AuthFlavor.AUTH_NONE || verf.length !== 0) {
    throw new CallDeniedError(
      xid,
      RejectStat.AUTH_ERROR,
      AuthStat.AUTH_BADVERF,
      `verifier flavor ${verfFlavor}`,
    );
  }
  return auth;
}

/**
 * RFC 5531 §9: MSG_ACCEPTED with an AUTH_NONE verifier and `stat`. For SUCCESS the procedure's
 * results follow; for PROG_MISMATCH use writeProgMismatchReply.
 */
export function writeAcceptedReply(w: XdrWriter, xid: number, stat: AcceptStat): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_ACCEPTED).u32(AuthFlavor.AUTH_NONE).u32(0).u32(stat);
}

/** RFC 5531 §9: PROG_MISMATCH carries the lowest and highest version we serve of the program. */
export function writeProgMismatchReply(w: XdrWriter, xid: number, low: number, high: number): void {
  writeAcceptedReply(w, xid, AcceptStat.PROG_MISMATCH);
  w.u32(low).u32(high);
}

/** RFC 5531 §9: MSG_DENIED / RPC_MISMATCH with the RPC versions we speak (2..2). */
export function writeRpcMismatchReply(w: XdrWriter, xid: number): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_DENIED).u32(RejectStat.RPC_MISMATCH);
  w.u32(RPC_VERSION).u32(RPC_VERSION);
}

/** RFC 5531 §9: MSG_DENIED / AUTH_ERROR with why. */
export function writeAuthErrorReply(w: XdrWriter, xid: number, stat: AuthStat): void {
  w.u32(xid).u32(MsgType.REPLY).u32(ReplyStat.MSG_DENIED).u32(RejectStat.AUTH_ERROR).u32(stat);
}

/** The MSG_DENIED reply for a CallDeniedError. */
export function writeDeniedReply(w: XdrWriter, err: CallDeniedError): void {
  if (err.rejectStat === RejectStat.RPC_MISMATCH) writeRpcMismatchReply(w, err.xid);
  else writeAuthErrorReply(w, err.xid, err.authStat ?? AuthStat.AUTH_FAILED);
}
