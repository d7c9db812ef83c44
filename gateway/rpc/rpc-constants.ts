/**
 * Wire constants of ONC RPC v2 (RFC 5531 §9 and appendix A), with the RFC's names so a grep
 * against the RFC finds them. Enums (not `const enum`) so logs can print `AcceptStat[stat]`.
 */

/** RFC 5531 §9: the only RPC protocol version. */
export const RPC_VERSION = 2;

/** RFC 5531 §8.2: opaque_auth body<MAX_AUTH_BYTES>. */
export const MAX_AUTH_BYTES = 400;

export enum MsgType {
  CALL = 0,
  REPLY = 1,
}

export enum ReplyStat {
  MSG_ACCEPTED = 0,
  MSG_DENIED = 1,
}

export enum AcceptStat {
  SUCCESS = 0,
  PROG_UNAVAIL = 1,
  PROG_MISMATCH = 2,
  PROC_UNAVAIL = 3,
  GARBAGE_ARGS = 4,
  SYSTEM_ERR = 5,
}

export enum RejectStat {
  RPC_MISMATCH = 0,
  AUTH_ERROR = 1,
}

export enum AuthStat {
  AUTH_OK = 0,
  AUTH_BADCRED = 1,
  AUTH_REJECTEDCRED = 2,
  AUTH_BADVERF = 3,
  AUTH_REJECTEDVERF = 4,
  AUTH_TOOWEAK = 5,
  AUTH_INVALIDRESP = 6,
  AUTH_FAILED = 7,
}

export enum AuthFlavor {
  AUTH_NONE = 0,
  AUTH_SYS = 1,
  AUTH_SHORT = 2,
  AUTH_DH = 3,
  RPCSEC_GSS = 6,
}
