/**
 * NTLM's one-way functions and response checks (MS-NLMP §3.3.1 NTLMv1, §3.3.2 NTLMv2, §3.4.5.1
 * KXKEY, §3.1.5.1.2 MIC, §6 DESL), as pure functions over bytes. A server holds only NT hashes
 * (NTOWFv1); everything here starts from one.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { desEncryptBlock, expandDesKey } from '../crypto/des';
import { md4 } from '../crypto/md4';
import { rc4 } from '../crypto/rc4';
import { NTLM_AUTHENTICATE_MIC_OFFSET, NTLM_MIC_SIZE } from './ntlm-constants';

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time equality of two byte strings (false for different lengths). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** NTOWFv1: the NT hash, MD4(UTF-16LE(password)). */
export function ntowfv1(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** NTOWFv2 = HMAC-MD5(NT hash, UTF-16LE(Uppercase(user) ‖ domain)) — the domain as the client sent it. */
export function ntowfv2(ntHash: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/** Size of the fixed part of NTLMv2_CLIENT_CHALLENGE (§2.2.2.7), before its AV pairs. */
export const NTLMV2_BLOB_HEADER_SIZE = 28;

export interface Ntlmv2Blob {
  timestamp: Buffer;
  clientChallenge: Buffer;
  /** The AV pair bytes (to the end of the response; parse with parseAvPairs). */
  avPairs: Buffer;
}

/** The fields of the NTLMv2_CLIENT_CHALLENGE after NTProofStr, or undefined if too short / wrong version. */
export function splitNtlmv2Response(nt: Buffer): Ntlmv2Blob | undefined {
  if (nt.length < 16 + NTLMV2_BLOB_HEADER_SIZE) return undefined;
  const blob = nt.subarray(16);
  if (blob[0] !== 1 || blob[1] !== 1) return undefined; // RespType, HiRespType
  return {
    timestamp: blob.subarray(8, 16),
    clientChallenge: blob.subarray(16, 24),
    avPairs: blob.subarray(28),
  };
}

export interface Ntlmv2Check {
  ok: boolean;
  /** SessionBaseKey = HMAC-MD5(ResponseKeyNT, NTProofStr); it is also NTLMv2's KeyExchangeKey. */
  sessionBaseKey: Buffer;
}

/**
 * §3.3.2: NTProofStr = HMAC-MD5(ResponseKeyNT, ServerChallenge ‖ temp), where the response is
 * NTProofStr ‖ temp. `ok` is a constant-time comparison.
 */
export function checkNtlmv2Response(
  responseKeyNT: Uint8Array,
  serverChallenge: Uint8Array,
  nt: Buffer,
): Ntlmv2Check {
  const proof = hmacMd5(responseKeyNT, serverChallenge, nt.subarray(16));
  return { ok: bytesEqual(proof, nt.subarray(0, 16)), sessionBaseKey: hmacMd5(responseKeyNT, proof) };
}

/** §6 DESL(K, D): three DES encryptions of D under K[0..7], K[7..14], K[14..16] ‖ Z(5). */
export function desl(key16: Uint8Array, data8: Uint8Array): Buffer {
  const k = Buffer.concat([key16, Buffer.alloc(5)]);
  return Buffer.concat([0, 7, 14].map((o) => desEncryptBlock(expandDesKey(k.subarray(o, o + 7)), data8)));
}

/**
 * §3.3.1: the expected 24-byte NTLMv1 NtChallengeResponse. With extended session security the
 * DES input is MD5(ServerChallenge ‖ ClientChallenge)[0..8], the client challenge being the first
 * 8 bytes of the LM response; without it, the server challenge itself.
 */
export function ntlmv1Response(
  ntHash: Uint8Array,
  serverChallenge: Uint8Array,
  ess: boolean,
  lm: Buffer,
): Buffer {
  const input = ess ? md5(serverChallenge, lm.subarray(0, 8)).subarray(0, 8) : serverChallenge;
  return desl(ntHash, input);
}

/** §3.3.1: NTLMv1 SessionBaseKey = MD4(NTOWFv1). */
export function ntlmv1SessionBaseKey(ntHash: Uint8Array): Buffer {
  return md4(ntHash);
}

/**
 * §3.4.5.1 KXKEY for NTLMv1: with extended session security
 * HMAC-MD5(SessionBaseKey, ServerChallenge ‖ LmChallengeResponse[0..8]), otherwise the session
 * base key (we never negotiate LM_KEY or REQUEST_NON_NT_SESSION_KEY, the other two cases).
 */
export function ntlmv1KeyExchangeKey(
  sessionBaseKey: Buffer,
  serverChallenge: Uint8Array,
  ess: boolean,
  lm: Buffer,
): Buffer {
  if (!ess) return sessionBaseKey;
  const lm8 = Buffer.alloc(8);
  lm.copy(lm8, 0, 0, Math.min(8, lm.length));
  return hmacMd5(sessionBaseKey, serverChallenge, lm8);
}

/** §3.2.5.1.2: with KEY_EXCH the client's random session key arrives RC4-wrapped under the KXKEY. */
export function unwrapSessionKey(keyExchangeKey: Uint8Array, encrypted: Uint8Array): Buffer {
  return rc4(keyExchangeKey, encrypted);
}

/**
 * §3.1.5.1.2 MIC = HMAC-MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE), the
 * AUTHENTICATE's MIC field (offset 72, 16 bytes) taken as zeros.
 */
export function computeMic(
  exportedSessionKey: Uint8Array,
  negotiate: Buffer,
  challenge: Buffer,
  authenticate: Buffer,
): Buffer {
  const a = Buffer.from(authenticate);
  a.fill(0, NTLM_AUTHENTICATE_MIC_OFFSET, NTLM_AUTHENTICATE_MIC_OFFSET + NTLM_MIC_SIZE);
  return hmacMd5(exportedSessionKey, negotiate, challenge, a);
}
