import {
  checkNtlmv2Response,
  desl,
  ntlmv1KeyExchangeKey,
  ntlmv1Response,
  ntlmv1SessionBaseKey,
  ntowfv1,
  ntowfv2,
  splitNtlmv2Response,
  unwrapSessionKey,
} from '../../../../../gateway/smb/auth/ntlm-crypto';
import { rc4 } from '../../../../../gateway/smb/crypto/rc4';
import { NLMP, sessionSetupBlob, WIN311 } from '../../../../helpers/smb-auth-vectors';

describe('NTLM one-way functions and responses (MS-NLMP §3.3, test vectors §4.2)', () => {
  test('§4.2.2.1.1 NTOWFv1("Password")', () => {
    expect(ntowfv1(NLMP.password)).toEqual(NLMP.ntowfv1);
  });

  test('§4.2.2: NTLMv1 response, session base key and the RC4-wrapped session key', () => {
    expect(ntlmv1Response(NLMP.ntowfv1, NLMP.serverChallenge, false, Buffer.alloc(24))).toEqual(
      NLMP.v1.ntResponse,
    );
    expect(ntlmv1SessionBaseKey(NLMP.ntowfv1)).toEqual(NLMP.v1.sessionBaseKey);
    expect(
      ntlmv1KeyExchangeKey(NLMP.v1.sessionBaseKey, NLMP.serverChallenge, false, Buffer.alloc(24)),
    ).toEqual(NLMP.v1.sessionBaseKey);
    expect(rc4(NLMP.v1.sessionBaseKey, NLMP.randomSessionKey)).toEqual(NLMP.v1.encryptedSessionKey);
    expect(unwrapSessionKey(NLMP.v1.sessionBaseKey, NLMP.v1.encryptedSessionKey)).toEqual(
      NLMP.randomSessionKey,
    );
  });

  test('§4.2.3: NTLMv1 with extended session security (client challenge in the LM field) and its KXKEY', () => {
    const lm = NLMP.v1Ess.lmResponse;
    expect(ntlmv1Response(NLMP.ntowfv1, NLMP.serverChallenge, true, lm)).toEqual(NLMP.v1Ess.ntResponse);
    const base = ntlmv1SessionBaseKey(NLMP.ntowfv1);
    expect(ntlmv1KeyExchangeKey(base, NLMP.serverChallenge, true, lm)).toEqual(NLMP.v1Ess.keyExchangeKey);
  });

  test('§6 DESL: three DES blocks under the 16-byte key split in 7-byte thirds', () => {
    expect(desl(NLMP.ntowfv1, NLMP.serverChallenge)).toEqual(NLMP.v1.ntResponse);
  });

  test('§4.2.4: NTOWFv2, NTProofStr, session base key, wrapped session key', () => {
    const key = ntowfv2(NLMP.ntowfv1, NLMP.user, NLMP.domain);
    expect(key).toEqual(NLMP.v2.ntowfv2);
    const nt = Buffer.concat([NLMP.v2.ntProofStr, NLMP.v2.temp]);
    const r = checkNtlmv2Response(key, NLMP.serverChallenge, nt);
    expect(r.ok).toBe(true);
    expect(r.sessionBaseKey).toEqual(NLMP.v2.sessionBaseKey);
    expect(rc4(r.sessionBaseKey, NLMP.randomSessionKey)).toEqual(NLMP.v2.encryptedSessionKey);
  });

  test('NTOWFv2 upper-cases the user but keeps the domain as sent', () => {
    expect(ntowfv2(NLMP.ntowfv1, 'user', NLMP.domain)).toEqual(NLMP.v2.ntowfv2);
    expect(ntowfv2(NLMP.ntowfv1, NLMP.user, 'DOMAIN').equals(NLMP.v2.ntowfv2)).toBe(false);
  });

  test('a wrong key or a changed blob fails the NTProofStr check', () => {
    const nt = Buffer.concat([NLMP.v2.ntProofStr, NLMP.v2.temp]);
    expect(checkNtlmv2Response(Buffer.alloc(16), NLMP.serverChallenge, nt).ok).toBe(false);
    const changed = Buffer.from(nt);
    changed[40] = changed[40]! ^ 1;
    expect(checkNtlmv2Response(NLMP.v2.ntowfv2, NLMP.serverChallenge, changed).ok).toBe(false);
  });

  test('Windows capture ("anatomy of signing" post): NT hash, NTOWFv2, NTProofStr, KXKEY, exported key', () => {
    expect(ntowfv1(WIN311.password)).toEqual(WIN311.ntHash);
    const key = ntowfv2(WIN311.ntHash, WIN311.user, WIN311.domain);
    expect(key).toEqual(WIN311.ntowfv2);
    const auth = sessionSetupBlob(WIN311.sessionSetupRequest2);
    const ntStart = auth.indexOf(WIN311.ntProofStr);
    const nt = auth.subarray(ntStart, ntStart + 238);
    const r = checkNtlmv2Response(key, WIN311.serverChallenge, nt);
    expect(r.ok).toBe(true);
    expect(r.sessionBaseKey).toEqual(WIN311.keyExchangeKey);
    expect(unwrapSessionKey(r.sessionBaseKey, WIN311.encryptedRandomSessionKey)).toEqual(WIN311.sessionKey);
  });

  test('splitNtlmv2Response refuses short responses and unknown versions', () => {
    expect(splitNtlmv2Response(Buffer.alloc(43))).toBeUndefined();
    const nt = Buffer.concat([NLMP.v2.ntProofStr, NLMP.v2.temp]);
    expect(splitNtlmv2Response(nt)?.clientChallenge).toEqual(NLMP.clientChallenge);
    const v2 = Buffer.from(nt);
    v2[16] = 2;
    expect(splitNtlmv2Response(v2)).toBeUndefined();
  });
});
