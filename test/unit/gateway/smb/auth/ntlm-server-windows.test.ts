/**
 * Replays a real Windows 8.1 → Windows 10 SMB 3.1.1 logon (Microsoft's "anatomy of signing and
 * cryptographic keys" walkthrough) against our acceptor: with the Windows server's names, version,
 * challenge and clock injected, every token we send must equal the Windows server's byte for byte,
 * and the session key, preauth hash, signing key and final signature must match.
 */

import { NtlmServer, type NtlmServerOptions } from '../../../../../gateway/smb/auth/ntlm-server';
import type { NtlmUserConfig } from '../../../../../gateway/smb/auth/ntlm-users';
import { buildNegTokenResp, parseSpnego } from '../../../../../gateway/smb/auth/spnego';
import { deriveSmb3Keys } from '../../../../../gateway/smb/crypto/kdf';
import { PreauthHash } from '../../../../../gateway/smb/crypto/preauth-hash';
import { computeSignature } from '../../../../../gateway/smb/crypto/signing';
import { sessionSetupBlob, WIN311 } from '../../../../helpers/smb-auth-vectors';

function windowsServer(
  users: NtlmUserConfig[],
  channel: 1 | 2 = 1,
  extra: Partial<NtlmServerOptions> = {},
): NtlmServer {
  const v = channel === 1 ? WIN311 : WIN311.channel2;
  return new NtlmServer({
    users,
    nbComputerName: 'SUT311',
    nbDomainName: 'SUT311',
    dnsComputerName: 'SUT311',
    dnsDomainName: 'SUT311',
    version: WIN311.serverVersion,
    randomBytes: () => Buffer.from(v.serverChallenge),
    fileTime: () => v.fileTime,
    ...extra,
  });
}

const passwordUser = [{ user: 'Administrator', password: WIN311.password }];
const hashUser = [{ user: 'ADMINISTRATOR', domain: 'sut311', ntHash: WIN311.ntHash.toString('hex') }];

describe('NTLM acceptor replaying a Windows SMB 3.1.1 logon', () => {
  test.each([
    ['a password user', passwordUser],
    ['an NT-hash user (domain-bound, different case)', hashUser],
  ])('master session, %s: byte-identical tokens and the same session key', (_n, users) => {
    const s = windowsServer(users).createSession();
    const r1 = s.accept(sessionSetupBlob(WIN311.sessionSetupRequest1));
    expect(r1.status).toBe('continue');
    expect(r1.status === 'continue' && r1.responseToken).toEqual(
      sessionSetupBlob(WIN311.sessionSetupResponse1),
    );
    const r2 = s.accept(sessionSetupBlob(WIN311.sessionSetupRequest2));
    if (r2.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r2)}`);
    expect(r2.sessionKey).toEqual(WIN311.sessionKey);
    expect(r2.responseToken).toEqual(sessionSetupBlob(WIN311.sessionSetupResponse2));
    expect(r2).toMatchObject({ domain: 'SUT311', workstation: 'DRIVER311', guest: false, ntlmVersion: 2 });
    expect(r2.user).toBe(users[0]!.user);
  });

  test('bound second channel: byte-identical tokens and its own session key', () => {
    const c = WIN311.channel2;
    const s = windowsServer(passwordUser, 2).createSession();
    const r1 = s.accept(sessionSetupBlob(c.sessionSetupRequest1));
    expect(r1.status === 'continue' && r1.responseToken).toEqual(sessionSetupBlob(c.sessionSetupResponse1));
    const r2 = s.accept(sessionSetupBlob(c.sessionSetupRequest2));
    expect(r2.status === 'ok' && r2.sessionKey).toEqual(c.sessionKey);
    expect(r2.status === 'ok' && r2.responseToken).toEqual(sessionSetupBlob(c.sessionSetupResponse2));
  });

  test('SESSION_SETUP end to end without the wire: preauth hash → SMB 3.1.1 keys → the final response signature', () => {
    const conn = new PreauthHash().update(WIN311.negotiateRequest).update(WIN311.negotiateResponse);
    const session = conn.fork();
    const ntlm = windowsServer(passwordUser).createSession();
    session.update(WIN311.sessionSetupRequest1);
    ntlm.accept(sessionSetupBlob(WIN311.sessionSetupRequest1));
    session.update(WIN311.sessionSetupResponse1);
    session.update(WIN311.sessionSetupRequest2);
    const r = ntlm.accept(sessionSetupBlob(WIN311.sessionSetupRequest2));
    if (r.status !== 'ok' || !r.sessionKey) throw new Error('expected ok with a session key');
    const keys = deriveSmb3Keys(r.sessionKey, 0x0311, { preauthHash: session.value });
    expect(keys.signingKey).toEqual(WIN311.keys.signingKey);
    expect(computeSignature(WIN311.sessionSetupResponse2, keys.signingKey, 'aes-cmac')).toEqual(
      WIN311.finalResponseSignature,
    );
  });

  test('wrong password → WRONG_PASSWORD; unknown user → UNKNOWN_USER; user bound to another domain → UNKNOWN_USER', () => {
    for (const [users, code] of [
      [[{ user: 'administrator', password: 'Password01?' }], 'WRONG_PASSWORD'],
      [[{ user: 'guest', password: WIN311.password }], 'UNKNOWN_USER'],
      [[{ user: 'administrator', domain: 'OTHER', password: WIN311.password }], 'UNKNOWN_USER'],
    ] as const) {
      const s = windowsServer([...users]).createSession();
      s.accept(sessionSetupBlob(WIN311.sessionSetupRequest1));
      const r = s.accept(sessionSetupBlob(WIN311.sessionSetupRequest2));
      expect(r).toMatchObject({ status: 'denied', code, user: 'administrator', domain: 'SUT311' });
      expect(r.status === 'denied' && r.responseToken).toEqual(buildNegTokenResp({ negState: 'reject' }));
    }
  });

  /** The second leg with one byte of its AUTHENTICATE or mechListMIC flipped, or the mechListMIC left out. */
  function secondLeg(part: 'auth' | 'mic' | 'no-mic', at = 0): Buffer {
    const t = parseSpnego(sessionSetupBlob(WIN311.sessionSetupRequest2));
    if (t.kind !== 'resp') throw new Error('resp expected');
    const auth = Buffer.from(t.resp.responseToken!);
    const mic = Buffer.from(t.resp.mechListMIC!);
    const target = part === 'auth' ? auth : mic;
    if (part !== 'no-mic') target[at] = target[at]! ^ 1;
    return buildNegTokenResp({
      negState: 'accept-incomplete',
      responseToken: auth,
      ...(part === 'no-mic' ? {} : { mechListMIC: mic }),
    });
  }

  test.each([
    ['a flipped MIC byte', 'BAD_MIC', 'auth', 80],
    ['a changed VERSION (covered by the MIC)', 'BAD_MIC', 'auth', 66],
    ['a flipped mechListMIC byte', 'BAD_MECHLISTMIC', 'mic', 6],
    ['the mechListMIC left out', 'MECHLISTMIC_MISSING', 'no-mic', 0],
    ['a changed NTProofStr', 'WRONG_PASSWORD', 'auth', 0xa8],
  ] as const)('tampering: %s → %s', (_n, code, part, at) => {
    const s = windowsServer(passwordUser).createSession();
    s.accept(sessionSetupBlob(WIN311.sessionSetupRequest1));
    expect(s.accept(secondLeg(part, at))).toMatchObject({ status: 'denied', code });
  });

  test('a different server challenge (a replay against a fresh challenge) fails the proof', () => {
    const s = windowsServer(passwordUser, 1, { randomBytes: () => Buffer.alloc(8, 7) }).createSession();
    s.accept(sessionSetupBlob(WIN311.sessionSetupRequest1));
    expect(s.accept(sessionSetupBlob(WIN311.sessionSetupRequest2))).toMatchObject({
      status: 'denied',
      code: 'WRONG_PASSWORD',
    });
  });
});
