/**
 * Server-side check of an AUTHENTICATE message (MS-NLMP §3.2.5.1.2), as one pure function of the
 * three NTLM messages and the user table: anonymous → NTLMv1 / NTLMv2 proof → KEY_EXCH unwrap →
 * MIC. Never throws for bad input: every outcome is a VerifyResult, failures with a code (for
 * the caller's NTSTATUS choice) and a reason meant for a log line.
 */
import { micPresent as pairsSayMic, parseAvPairs } from './av-pairs';
import { NtlmMessageError } from './errors';
import { NTLM_AUTHENTICATE_MIC_OFFSET, NTLM_MIC_SIZE, NtlmFlag } from './ntlm-constants';
import {
  bytesEqual,
  checkNtlmv2Response,
  computeMic,
  ntlmv1KeyExchangeKey,
  ntlmv1Response,
  ntlmv1SessionBaseKey,
  ntowfv2,
  splitNtlmv2Response,
  unwrapSessionKey,
} from './ntlm-crypto';
import { type AuthenticateMessage, parseAuthenticate } from './ntlm-messages';
import type { NtlmUserTable } from './ntlm-users';

const F = NtlmFlag;

export type DenyCode =
  | 'MALFORMED'
  | 'PROTOCOL'
  | 'NO_COMMON_MECH'
  | 'ANONYMOUS_REFUSED'
  | 'LM_REFUSED'
  | 'NTLMV1_REFUSED'
  | 'UNKNOWN_USER'
  | 'WRONG_PASSWORD'
  | 'BAD_MIC'
  | 'BAD_MECHLISTMIC'
  | 'MECHLISTMIC_MISSING'
  /** A bug or a broken test hook on our side, reported rather than thrown. */
  | 'INTERNAL';

export interface Identity {
  user: string;
  domain: string;
  workstation: string;
}

export type VerifyResult =
  | (Identity & {
      ok: true;
      /** 0 for an anonymous logon. */
      ntlmVersion: 0 | 1 | 2;
      anonymous: boolean;
      /** Flags in force: the AUTHENTICATE's flags within what our CHALLENGE offered. */
      flags: number;
      /** The exported session key (the SMB session key); absent for anonymous. */
      exportedSessionKey?: Buffer;
      /** The AUTHENTICATE carried a MIC, which was checked. */
      micPresent: boolean;
    })
  | (Partial<Identity> & { ok: false; code: DenyCode; reason: string });

export interface VerifyInput {
  negotiate: Buffer;
  challenge: Buffer;
  serverChallenge: Buffer;
  challengeFlags: number;
  authenticate: Buffer;
  users: NtlmUserTable;
  allowNtlmV1: boolean;
  allowGuest: boolean;
}

const DUMMY_KEY = Buffer.alloc(16);

function deny(code: DenyCode, reason: string, who?: Partial<Identity>): VerifyResult {
  return { ok: false, code, reason, ...who };
}

/** MS-NLMP §3.2.5.1.2: an empty user with empty NT and (empty or single-zero) LM response. */
function isAnonymous(a: AuthenticateMessage): boolean {
  return (
    a.user === '' &&
    a.ntResponse.length === 0 &&
    (a.lmResponse.length === 0 || (a.lmResponse.length === 1 && a.lmResponse[0] === 0))
  );
}

export function verifyAuthenticate(input: VerifyInput): VerifyResult {
  let a: AuthenticateMessage;
  try {
    a = parseAuthenticate(input.authenticate, input.challengeFlags);
  } catch (e) {
    if (e instanceof NtlmMessageError) return deny('MALFORMED', `malformed AUTHENTICATE: ${e.message}`);
    throw e;
  }
  const who: Identity = { user: a.user, domain: a.domain, workstation: a.workstation };
  const named = `user "${a.user}" (domain "${a.domain}", workstation "${a.workstation}")`;
  const flags = (a.flags & input.challengeFlags) >>> 0;

  if (isAnonymous(a)) {
    if (!input.allowGuest)
      return deny('ANONYMOUS_REFUSED', 'anonymous logon refused (allowGuest is off)', who);
    return { ok: true, ...who, ntlmVersion: 0, anonymous: true, flags, micPresent: false };
  }
  const nt = a.ntResponse;
  if (nt.length === 0) return deny('LM_REFUSED', `LM-only authentication refused for ${named}`, who);
  if (nt.length < 24) return deny('MALFORMED', `NT response of ${nt.length} bytes for ${named}`, who);
  const v1 = nt.length === 24;
  if (v1 && !input.allowNtlmV1)
    return deny('NTLMV1_REFUSED', `NTLMv1 refused for ${named} (allowNtlmV1 is off)`, who);

  const entry = input.users.find(a.user, a.domain);
  let keyExchangeKey: Buffer;
  let mic = false;
  if (v1) {
    const ess = (flags & F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) !== 0;
    if (ess && a.lmResponse.length < 8)
      return deny('MALFORMED', `NTLMv1 with ESS but no client challenge for ${named}`, who);
    const expected = ntlmv1Response(entry?.ntHash ?? DUMMY_KEY, input.serverChallenge, ess, a.lmResponse);
    if (!entry) return deny('UNKNOWN_USER', `unknown ${named}`, who);
    if (!bytesEqual(expected, nt)) return deny('WRONG_PASSWORD', `wrong password for ${named} (NTLMv1)`, who);
    const base = ntlmv1SessionBaseKey(entry.ntHash);
    keyExchangeKey = ntlmv1KeyExchangeKey(base, input.serverChallenge, ess, a.lmResponse);
  } else {
    const blob = splitNtlmv2Response(nt);
    if (!blob) return deny('MALFORMED', `NTLMv2 response of ${named} has a bad header`, who);
    try {
      mic = pairsSayMic(parseAvPairs(blob.avPairs));
    } catch (e) {
      if (e instanceof NtlmMessageError)
        return deny('MALFORMED', `NTLMv2 response of ${named}: ${e.message}`, who);
      throw e;
    }
    // Same work for an unknown user as for a known one, so timing does not tell them apart.
    const check = checkNtlmv2Response(
      ntowfv2(entry?.ntHash ?? DUMMY_KEY, a.user, a.domain),
      input.serverChallenge,
      nt,
    );
    if (!entry) return deny('UNKNOWN_USER', `unknown ${named}`, who);
    if (!check.ok) return deny('WRONG_PASSWORD', `wrong password for ${named} (NTProofStr mismatch)`, who);
    keyExchangeKey = check.sessionBaseKey;
  }

  // §3.2.5.1.2: with KEY_EXCH the client chose the session key and sent it RC4-wrapped.
  let exported = keyExchangeKey;
  const wrapped = a.encryptedRandomSessionKey;
  if (flags & F.NTLMSSP_NEGOTIATE_KEY_EXCH && wrapped.length > 0) {
    if (wrapped.length !== 16)
      return deny('MALFORMED', `EncryptedRandomSessionKey of ${wrapped.length} bytes from ${named}`, who);
    exported = unwrapSessionKey(keyExchangeKey, wrapped);
  }

  if (mic) {
    const end = NTLM_AUTHENTICATE_MIC_OFFSET + NTLM_MIC_SIZE;
    if (a.raw.length < end || a.payloadStart < end)
      return deny('MALFORMED', `MIC field of ${named} overlaps the payload`, who);
    const expected = computeMic(exported, input.negotiate, input.challenge, a.raw);
    if (!bytesEqual(expected, a.raw.subarray(NTLM_AUTHENTICATE_MIC_OFFSET, end))) {
      return deny('BAD_MIC', `bad MIC from ${named}: the NTLM messages were altered or the key differs`, who);
    }
  }
  const identity = { ...who, user: entry.user };
  return {
    ok: true,
    ...identity,
    ntlmVersion: v1 ? 1 : 2,
    anonymous: false,
    flags,
    exportedSessionKey: exported,
    micPresent: mic,
  };
}
