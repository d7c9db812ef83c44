/**
 * Round trips between the acceptor and an independent test client (test/helpers/ntlm-client.ts),
 * bare NTLMSSP (Node SMB clients) and SPNEGO (smbclient, Windows).
 */
import { ntowfv1 } from '../../../../../gateway/smb/auth/ntlm-crypto';
import {
  type NtlmAcceptResult,
  NtlmServer,
  type NtlmServerOptions,
} from '../../../../../gateway/smb/auth/ntlm-server';
import { buildNegTokenResp, NTLMSSP_OID, parseSpnego } from '../../../../../gateway/smb/auth/spnego';
import { type NtlmClientOptions, NtlmTestClient } from '../../../../helpers/ntlm-client';
import { NLMP } from '../../../../helpers/smb-auth-vectors';

const USERS = [
  { user: 'alice', password: 'Wonder land!' },
  { user: 'Bob', ntHash: ntowfv1('b0b-s3cret').toString('hex') },
  { user: 'carol', domain: 'CORP', password: 'corp-pass' },
  { user: 'carol', domain: 'LAB', password: 'lab-pass' },
];

function server(o: Partial<NtlmServerOptions> = {}): NtlmServer {
  return new NtlmServer({ users: USERS, nbComputerName: 'UPCALL', ...o });
}

/** Runs the two legs; returns the final result and the client. */
function logon(
  c: Partial<NtlmClientOptions>,
  s: NtlmServer = server(),
): { r: NtlmAcceptResult; client: NtlmTestClient } {
  const client = new NtlmTestClient({ user: 'alice', domain: 'WORKGROUP', password: 'Wonder land!', ...c });
  const session = s.createSession();
  const first = session.accept(client.negotiate());
  if (first.status !== 'continue') return { r: first, client };
  return { r: session.accept(client.authenticate(first.responseToken)), client };
}

describe('NTLM acceptor ↔ independent test client', () => {
  describe.each([
    ['bare NTLMSSP', false],
    ['SPNEGO', true],
  ])('%s', (_name, spnego) => {
    test('right password: ok, and both sides hold the same session key', () => {
      const { r, client } = logon({ spnego });
      expect(r).toMatchObject({
        status: 'ok',
        user: 'alice',
        domain: 'WORKGROUP',
        workstation: 'TESTWS',
        guest: false,
        ntlmVersion: 2,
      });
      expect(r.status === 'ok' && r.sessionKey).toEqual(client.exportedSessionKey);
    });

    test('an NT-hash user, matched case-insensitively, reported with the configured spelling', () => {
      const { r } = logon({ spnego, user: 'BOB', password: 'b0b-s3cret' });
      expect(r).toMatchObject({ status: 'ok', user: 'Bob' });
    });

    test('domain-bound entries: the entry for the domain sent is used', () => {
      expect(logon({ spnego, user: 'carol', domain: 'lab', password: 'lab-pass' }).r.status).toBe('ok');
      expect(logon({ spnego, user: 'carol', domain: 'CORP', password: 'corp-pass' }).r.status).toBe('ok');
      expect(logon({ spnego, user: 'carol', domain: 'CORP', password: 'lab-pass' }).r).toMatchObject({
        code: 'WRONG_PASSWORD',
      });
      expect(logon({ spnego, user: 'carol', domain: 'HOME', password: 'lab-pass' }).r).toMatchObject({
        code: 'UNKNOWN_USER',
      });
    });

    test('wrong password → denied WRONG_PASSWORD with a log-ready reason', () => {
      const { r } = logon({ spnego, password: 'wonder land!' });
      expect(r).toMatchObject({ status: 'denied', code: 'WRONG_PASSWORD', user: 'alice' });
      expect(r.status === 'denied' && r.reason).toBe(
        'wrong password for user "alice" (domain "WORKGROUP", workstation "TESTWS") (NTProofStr mismatch)',
      );
    });

    test('unknown user → denied UNKNOWN_USER', () => {
      expect(logon({ spnego, user: 'mallory' }).r).toMatchObject({ status: 'denied', code: 'UNKNOWN_USER' });
    });

    test('NTLMv1 (with and without ESS) → denied NTLMV1_REFUSED unless allowNtlmV1', () => {
      for (const mode of ['v1', 'v1-ess'] as const) {
        expect(logon({ spnego, mode }).r).toMatchObject({ status: 'denied', code: 'NTLMV1_REFUSED' });
        const { r, client } = logon({ spnego, mode }, server({ allowNtlmV1: true }));
        expect(r).toMatchObject({ status: 'ok', ntlmVersion: 1 });
        expect(r.status === 'ok' && r.sessionKey).toEqual(client.exportedSessionKey);
        expect(logon({ spnego, mode, password: 'nope' }, server({ allowNtlmV1: true })).r).toMatchObject({
          code: 'WRONG_PASSWORD',
        });
      }
    });

    test('without KEY_EXCH the session key is the session base key, still agreed by both', () => {
      const { r, client } = logon({ spnego, keyExch: false });
      expect(r.status === 'ok' && r.sessionKey).toEqual(client.exportedSessionKey);
    });

    test('an older client: no VERSION/MIC fields, no MIC', () => {
      expect(logon({ spnego, legacyLayout: true }).r.status).toBe('ok');
      expect(logon({ spnego, mic: false }).r.status).toBe('ok');
    });

    test('anonymous → denied ANONYMOUS_REFUSED; with allowGuest → ok as guest without a session key', () => {
      expect(logon({ spnego, anonymous: true }).r).toMatchObject({
        status: 'denied',
        code: 'ANONYMOUS_REFUSED',
      });
      const { r } = logon({ spnego, anonymous: true }, server({ allowGuest: true }));
      expect(r).toMatchObject({ status: 'ok', guest: true, user: '', ntlmVersion: 0 });
      expect(r.status === 'ok' && r.sessionKey).toBeUndefined();
    });
  });

  test('bare NTLMSSP is answered in kind: the CHALLENGE is a raw NTLMSSP token, the final result has no token', () => {
    const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'Wonder land!' });
    const s = server().createSession();
    const first = s.accept(client.negotiate());
    expect(first.status === 'continue' && first.responseToken.subarray(0, 8).toString('latin1')).toBe(
      'NTLMSSP\0',
    );
    const last = s.accept(
      client.authenticate(first.status === 'continue' ? first.responseToken : Buffer.alloc(0)),
    );
    expect(last.status === 'ok' && last.responseToken).toBeUndefined();
    const denied = server().createSession().accept(Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'));
    expect(denied.status === 'denied' && denied.responseToken).toBeUndefined();
  });

  test("SPNEGO: the server's mechListMIC verifies under the server-to-client keys (MS-SPNG mechListMIC exchange)", () => {
    const { r, client } = logon({ spnego: true });
    if (r.status !== 'ok' || !r.responseToken) throw new Error('expected ok with a token');
    const t = parseSpnego(r.responseToken);
    expect(t.kind === 'resp' && t.resp.negState).toBe('accept-completed');
    expect(NtlmTestClient.serverMechListMic(r.responseToken)).toEqual(client.mechListMic('server-to-client'));
  });

  test('SPNEGO without a MIC: no mechListMIC is demanded, none is sent back', () => {
    const { r } = logon({ spnego: true, mic: false });
    expect(r.status === 'ok' && NtlmTestClient.serverMechListMic(r.responseToken!)).toBeUndefined();
    const withMech = logon({ spnego: true, mic: false, mechListMic: true }).r;
    expect(
      withMech.status === 'ok' && NtlmTestClient.serverMechListMic(withMech.responseToken!),
    ).toHaveLength(16);
  });

  test('SPNEGO with another mechanism first (KRB5): the optimistic token is dropped, NTLM is negotiated, mechListMIC is mandatory', () => {
    const mechTypes = ['1.2.840.48018.1.2.2', NTLMSSP_OID];
    const client = new NtlmTestClient({
      user: 'alice',
      domain: 'W',
      password: 'Wonder land!',
      spnego: true,
      mechTypes,
      mic: false,
      mechListMic: true,
    });
    const s = server().createSession();
    const first = s.accept(client.negotiate());
    if (first.status !== 'continue') throw new Error('continue expected');
    const t = parseSpnego(first.responseToken);
    expect(t.kind === 'resp' && t.resp).toEqual({
      negState: 'accept-incomplete',
      supportedMech: NTLMSSP_OID,
    });
    const second = s.accept(client.negotiateInResp());
    if (second.status !== 'continue') throw new Error('continue expected');
    expect(s.accept(client.authenticate(second.responseToken)).status).toBe('ok');

    const strict = new NtlmTestClient({
      user: 'alice',
      domain: 'W',
      password: 'Wonder land!',
      spnego: true,
      mechTypes,
      mic: false,
    });
    const s2 = server().createSession();
    s2.accept(strict.negotiate());
    const c2 = s2.accept(strict.negotiateInResp());
    expect(
      s2.accept(strict.authenticate(c2.status === 'continue' ? c2.responseToken : Buffer.alloc(0))),
    ).toMatchObject({
      code: 'MECHLISTMIC_MISSING',
    });
  });

  test('SPNEGO offering no NTLMSSP → NO_COMMON_MECH, answered with negState reject', () => {
    const client = new NtlmTestClient({
      user: 'a',
      domain: 'b',
      spnego: true,
      mechTypes: ['1.2.840.113554.1.2.2'],
    });
    const r = server().createSession().accept(client.negotiate());
    expect(r).toMatchObject({ status: 'denied', code: 'NO_COMMON_MECH' });
    expect(r.status === 'denied' && r.responseToken).toEqual(buildNegTokenResp({ negState: 'reject' }));
  });

  describe('protocol order', () => {
    test('AUTHENTICATE first, garbage first, empty token → denied MALFORMED, never thrown', () => {
      for (const token of [
        NLMP.v2.authenticate,
        Buffer.alloc(0),
        Buffer.from('hello'),
        Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'),
      ]) {
        expect(server().createSession().accept(token)).toMatchObject({ status: 'denied', code: 'MALFORMED' });
      }
    });

    test('a negTokenResp before any negTokenInit → PROTOCOL', () => {
      expect(
        server()
          .createSession()
          .accept(buildNegTokenResp({ negState: 'accept-incomplete' })),
      ).toMatchObject({ code: 'PROTOCOL' });
    });

    test('a negTokenResp without responseToken in the second leg → PROTOCOL', () => {
      const client = new NtlmTestClient({
        user: 'alice',
        domain: 'W',
        password: 'Wonder land!',
        spnego: true,
      });
      const s = server().createSession();
      s.accept(client.negotiate());
      expect(s.accept(buildNegTokenResp({ negState: 'accept-incomplete' }))).toMatchObject({
        code: 'PROTOCOL',
      });
    });

    test('after ok or denied, any further token → PROTOCOL (a new session object is needed)', () => {
      const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'Wonder land!' });
      const s = server().createSession();
      const first = s.accept(client.negotiate());
      const auth = client.authenticate(first.status === 'continue' ? first.responseToken : Buffer.alloc(0));
      expect(s.accept(auth).status).toBe('ok');
      expect(s.accept(auth)).toMatchObject({ status: 'denied', code: 'PROTOCOL' });
    });

    test('a NEGOTIATE where the AUTHENTICATE belongs → MALFORMED', () => {
      const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'Wonder land!' });
      const s = server().createSession();
      const neg = client.negotiate();
      s.accept(neg);
      expect(s.accept(neg)).toMatchObject({ status: 'denied', code: 'MALFORMED' });
    });
  });

  test('a failure on our side (here a broken randomBytes hook) is reported as denied INTERNAL, not thrown', () => {
    const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'x' });
    const r = server({ randomBytes: () => Buffer.alloc(4) })
      .createSession()
      .accept(client.negotiate());
    expect(r).toMatchObject({ status: 'denied', code: 'INTERNAL' });
    expect(r.status === 'denied' && r.reason).toMatch(/internal error: ServerChallenge is 8 bytes/);
  });

  test('each session gets a fresh random server challenge', () => {
    const s = server();
    const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'x' });
    const a = s.createSession().accept(client.negotiate());
    const b = s.createSession().accept(client.negotiate());
    const chal = (r: NtlmAcceptResult): string =>
      r.status === 'continue' ? r.responseToken.subarray(24, 32).toString('hex') : '';
    expect(chal(a)).not.toBe(chal(b));
  });

  test('configuration errors are thrown at construction (not at logon)', () => {
    expect(() => server({ users: [{ user: 'x' }] })).toThrow(/neither a password nor an NT hash/);
    expect(() => server({ users: [{ user: 'x', password: 'p', ntHash: '00'.repeat(16) }] })).toThrow(
      /not both/,
    );
    expect(() => server({ users: [{ user: 'x', ntHash: 'zz' }] })).toThrow(/32 hex digits/);
    expect(() => server({ users: [{ user: 'x', ntHash: Buffer.alloc(15) }] })).toThrow(/16 bytes/);
    expect(() => server({ users: [{ user: '', password: 'p' }] })).toThrow(/non-empty/);
  });
});
