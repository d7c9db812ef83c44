/**
 * The three NTLMSSP messages, server side (MS-NLMP §2.2.1): parse NEGOTIATE (type 1), build
 * CHALLENGE (type 2), parse AUTHENTICATE (type 3).
 *
 * Variable fields are (Len u16, MaxLen u16, BufferOffset u32) triples pointing into the message's
 * payload. Every triple is checked against the message length before its bytes are taken, and
 * every failure is an NtlmMessageError. Parsed byte fields are views into the token.
 */
import { NtlmMessageError } from './errors';
import { NTLM_CHALLENGE_HEADER_SIZE, NTLMSSP_SIGNATURE, NtlmFlag, NtlmMessageType } from './ntlm-constants';

const F = NtlmFlag;
const EMPTY = Buffer.alloc(0);

/** The message type of an NTLMSSP token (checks the 'NTLMSSP\0' signature first). */
export function ntlmMessageType(msg: Buffer): number {
  if (msg.length < 12 || !msg.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) {
    throw new NtlmMessageError('not an NTLMSSP message (no NTLMSSP signature)');
  }
  return msg.readUInt32LE(8);
}

function expectType(msg: Buffer, type: number, name: string, minLength: number): void {
  const t = ntlmMessageType(msg);
  if (t !== type) throw new NtlmMessageError(`expected NTLMSSP ${name} (type ${type}), got type ${t}`);
  if (msg.length < minLength)
    throw new NtlmMessageError(`${name} message of ${msg.length} bytes is shorter than ${minLength}`);
}

/** A (Len, MaxLen, Offset) field: its bytes, bounds-checked. An empty field's offset is not looked at. */
function field(msg: Buffer, at: number, name: string): Buffer {
  const len = msg.readUInt16LE(at);
  if (len === 0) return EMPTY;
  const off = msg.readUInt32LE(at + 4);
  if (off > msg.length || len > msg.length - off) {
    throw new NtlmMessageError(
      `${name} (offset ${off}, length ${len}) lies outside the ${msg.length}-byte message`,
    );
  }
  return msg.subarray(off, off + len);
}

function fieldOffset(msg: Buffer, at: number): number | undefined {
  return msg.readUInt16LE(at) === 0 ? undefined : msg.readUInt32LE(at + 4);
}

/** Strings are UTF-16LE when UNICODE was negotiated, else the OEM code page (read as Latin-1). */
function text(b: Buffer, flags: number, name: string): string {
  if (flags & F.NTLMSSP_NEGOTIATE_UNICODE) {
    if (b.length % 2 !== 0) throw new NtlmMessageError(`${name} has an odd length for UTF-16`);
    return b.toString('utf16le');
  }
  return b.toString('latin1');
}

export interface NegotiateMessage {
  flags: number;
  /** OEM domain / workstation the client supplied (rarely set). */
  domain: string;
  workstation: string;
  version?: Buffer;
  raw: Buffer;
}

/** MS-NLMP §2.2.1.1. Very old clients stop after the flags (16 bytes); both fields are optional. */
export function parseNegotiate(msg: Buffer): NegotiateMessage {
  expectType(msg, NtlmMessageType.NEGOTIATE, 'NEGOTIATE', 16);
  const flags = msg.readUInt32LE(12);
  const long = msg.length >= 32;
  return {
    flags,
    domain: long ? field(msg, 16, 'DomainName').toString('latin1') : '',
    workstation: long ? field(msg, 24, 'Workstation').toString('latin1') : '',
    version: flags & F.NTLMSSP_NEGOTIATE_VERSION && msg.length >= 40 ? msg.subarray(32, 40) : undefined,
    raw: msg,
  };
}

/**
 * MS-NLMP §3.2.5.1.1: the CHALLENGE flags for a client's NEGOTIATE flags. We echo what both
 * sides support — UNICODE (else OEM), SIGN, SEAL, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY, VERSION,
 * 128, 56, KEY_EXCH, REQUEST_TARGET — and always set NTLM, TARGET_INFO and TARGET_TYPE_SERVER.
 * LM_KEY is never echoed (extended session security supersedes it, and we hold no LM hashes).
 */
export function chooseChallengeFlags(client: number): number {
  const echoed =
    F.NTLMSSP_REQUEST_TARGET |
    F.NTLMSSP_NEGOTIATE_SIGN |
    F.NTLMSSP_NEGOTIATE_SEAL |
    F.NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    F.NTLMSSP_NEGOTIATE_VERSION |
    F.NTLMSSP_NEGOTIATE_128 |
    F.NTLMSSP_NEGOTIATE_56 |
    F.NTLMSSP_NEGOTIATE_KEY_EXCH;
  let flags =
    (client & echoed) |
    F.NTLMSSP_NEGOTIATE_NTLM |
    F.NTLMSSP_NEGOTIATE_TARGET_INFO |
    F.NTLMSSP_TARGET_TYPE_SERVER;
  if (client & F.NTLMSSP_NEGOTIATE_UNICODE) flags |= F.NTLMSSP_NEGOTIATE_UNICODE;
  else if (client & F.NTLM_NEGOTIATE_OEM) flags |= F.NTLM_NEGOTIATE_OEM;
  else flags |= F.NTLMSSP_NEGOTIATE_UNICODE;
  return flags >>> 0;
}

export interface ChallengeParams {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  /** A serialised AV_PAIR list (see av-pairs.ts). */
  targetInfo: Buffer;
  /** 8-byte VERSION; written as zeros unless NTLMSSP_NEGOTIATE_VERSION is in `flags`. */
  version: Buffer;
}

/** MS-NLMP §2.2.1.2: header (56 bytes) then TargetName and TargetInfo, in that order. */
export function buildChallenge(p: ChallengeParams): Buffer {
  if (p.serverChallenge.length !== 8) throw new RangeError('ServerChallenge is 8 bytes');
  if (p.version.length !== 8) throw new RangeError('VERSION is 8 bytes');
  const name = Buffer.from(p.targetName, p.flags & F.NTLMSSP_NEGOTIATE_UNICODE ? 'utf16le' : 'latin1');
  const h = Buffer.alloc(NTLM_CHALLENGE_HEADER_SIZE);
  NTLMSSP_SIGNATURE.copy(h, 0);
  h.writeUInt32LE(NtlmMessageType.CHALLENGE, 8);
  h.writeUInt16LE(name.length, 12);
  h.writeUInt16LE(name.length, 14);
  h.writeUInt32LE(NTLM_CHALLENGE_HEADER_SIZE, 16);
  h.writeUInt32LE(p.flags >>> 0, 20);
  p.serverChallenge.copy(h, 24);
  h.writeUInt16LE(p.targetInfo.length, 40);
  h.writeUInt16LE(p.targetInfo.length, 42);
  h.writeUInt32LE(NTLM_CHALLENGE_HEADER_SIZE + name.length, 44);
  if (p.flags & F.NTLMSSP_NEGOTIATE_VERSION) p.version.copy(h, 48);
  return Buffer.concat([h, name, p.targetInfo]);
}

export interface AuthenticateMessage {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: Buffer;
  /** Offset of the first non-empty payload field (a MIC at 72..88 must not overlap it). */
  payloadStart: number;
  raw: Buffer;
}

/**
 * MS-NLMP §2.2.1.3. Requires the fixed part through NegotiateFlags (64 bytes). `challengeFlags`:
 * when our CHALLENGE chose UNICODE the strings are UTF-16LE even if the AUTHENTICATE forgets to
 * say so (node-smb2 1.3.5's NTLMv2 path does; Samba goes by the negotiated state too).
 */
export function parseAuthenticate(msg: Buffer, challengeFlags = 0): AuthenticateMessage {
  expectType(msg, NtlmMessageType.AUTHENTICATE, 'AUTHENTICATE', 64);
  const flags = msg.readUInt32LE(60);
  const textFlags = flags | (challengeFlags & F.NTLMSSP_NEGOTIATE_UNICODE);
  const offsets = [12, 20, 28, 36, 44, 52]
    .map((at) => fieldOffset(msg, at))
    .filter((o): o is number => o !== undefined);
  return {
    flags,
    lmResponse: field(msg, 12, 'LmChallengeResponse'),
    ntResponse: field(msg, 20, 'NtChallengeResponse'),
    domain: text(field(msg, 28, 'DomainName'), textFlags, 'DomainName'),
    user: text(field(msg, 36, 'UserName'), textFlags, 'UserName'),
    workstation: text(field(msg, 44, 'Workstation'), textFlags, 'Workstation'),
    encryptedRandomSessionKey: field(msg, 52, 'EncryptedRandomSessionKey'),
    version: flags & F.NTLMSSP_NEGOTIATE_VERSION && msg.length >= 72 ? msg.subarray(64, 72) : undefined,
    payloadStart: offsets.length > 0 ? Math.min(...offsets) : msg.length,
    raw: msg,
  };
}
