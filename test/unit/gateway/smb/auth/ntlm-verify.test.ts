import { NtlmFlag } from '../../../../../gateway/smb/auth/ntlm-constants';
import { NtlmUserTable } from '../../../../../gateway/smb/auth/ntlm-users';
import { type VerifyInput, verifyAuthenticate } from '../../../../../gateway/smb/auth/ntlm-verify';
import { NLMP } from '../../../../helpers/smb-auth-vectors';

/** MS-NLMP §4.2.x.3 AUTHENTICATE messages checked as the server of that example (no MIC in them). */
function input(authenticate: Buffer, challengeFlags: number, o: Partial<VerifyInput> = {}): VerifyInput {
  return {
    negotiate: Buffer.alloc(0),
    challenge: Buffer.alloc(0),
    serverChallenge: NLMP.serverChallenge,
    challengeFlags,
    authenticate,
    users: new NtlmUserTable([{ user: 'user', password: NLMP.password }]),
    allowNtlmV1: false,
    allowGuest: false,
    ...o,
  };
}

describe('verifyAuthenticate on the MS-NLMP §4.2 AUTHENTICATE messages', () => {
  test('§4.2.4.3 NTLMv2: accepted; KEY_EXCH unwraps the random session key 55…55', () => {
    const r = verifyAuthenticate(input(NLMP.v2.authenticate, NLMP.v2.flags));
    expect(r).toMatchObject({
      ok: true,
      user: 'user',
      domain: 'Domain',
      workstation: 'COMPUTER',
      ntlmVersion: 2,
      micPresent: false,
    });
    expect(r.ok && r.exportedSessionKey).toEqual(NLMP.randomSessionKey);
  });

  test('§4.2.2.3 NTLMv1 is refused by default, with the reason naming the user', () => {
    const r = verifyAuthenticate(
      input(NLMP.v1.authenticate, NLMP.v1.flags | NtlmFlag.NTLMSSP_NEGOTIATE_TARGET_INFO),
    );
    expect(r).toMatchObject({ ok: false, code: 'NTLMV1_REFUSED', user: 'User' });
    expect(!r.ok && r.reason).toMatch(/NTLMv1 refused for user "User".*allowNtlmV1/);
  });

  test('§4.2.2.3 NTLMv1 with allowNtlmV1: accepted, session key 55…55', () => {
    const r = verifyAuthenticate(
      input(NLMP.v1.authenticate, NLMP.v1.flags | NtlmFlag.NTLMSSP_NEGOTIATE_TARGET_INFO, {
        allowNtlmV1: true,
      }),
    );
    expect(r).toMatchObject({ ok: true, ntlmVersion: 1 });
    expect(r.ok && r.exportedSessionKey).toEqual(NLMP.randomSessionKey);
  });

  test('§4.2.3.3 NTLMv1 with ESS (no KEY_EXCH): accepted, session key = the ESS KXKEY', () => {
    const r = verifyAuthenticate(input(NLMP.v1Ess.authenticate, NLMP.v1Ess.flags, { allowNtlmV1: true }));
    expect(r).toMatchObject({ ok: true, ntlmVersion: 1 });
    expect(r.ok && r.exportedSessionKey).toEqual(NLMP.v1Ess.keyExchangeKey);
  });

  test('wrong password and unknown user on the spec messages', () => {
    const wrong = new NtlmUserTable([{ user: 'User', password: 'password' }]);
    expect(verifyAuthenticate(input(NLMP.v2.authenticate, NLMP.v2.flags, { users: wrong }))).toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    const none = new NtlmUserTable([{ user: 'Other', password: NLMP.password }]);
    expect(verifyAuthenticate(input(NLMP.v2.authenticate, NLMP.v2.flags, { users: none }))).toMatchObject({
      code: 'UNKNOWN_USER',
    });
    expect(
      verifyAuthenticate(input(NLMP.v1.authenticate, NLMP.v1.flags, { users: wrong, allowNtlmV1: true })),
    ).toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  test('flags outside what the CHALLENGE offered are ignored: without KEY_EXCH the session key is the base key', () => {
    const r = verifyAuthenticate(
      input(NLMP.v2.authenticate, NLMP.v2.flags & ~NtlmFlag.NTLMSSP_NEGOTIATE_KEY_EXCH),
    );
    expect(r.ok && r.exportedSessionKey).toEqual(NLMP.v2.sessionBaseKey);
  });

  test('a non-AUTHENTICATE token is MALFORMED, not an exception', () => {
    expect(verifyAuthenticate(input(Buffer.from('garbage'), NLMP.v2.flags))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
  });
});
