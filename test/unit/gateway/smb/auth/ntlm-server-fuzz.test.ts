/**
 * Hostile input to the acceptor: random tokens, truncations, and single-byte changes to a valid
 * exchange. It must never throw, never answer anything but continue/ok/denied, and never say ok
 * to a changed AUTHENTICATE (the MIC and NTProofStr cover every byte of it).
 */
import fc from 'fast-check';
import { NtlmServer } from '../../../../../gateway/smb/auth/ntlm-server';
import { parseSpnego } from '../../../../../gateway/smb/auth/spnego';
import { NtlmTestClient } from '../../../../helpers/ntlm-client';

const server = new NtlmServer({
  users: [{ user: 'alice', password: 'pw' }],
  nbComputerName: 'UPCALL',
  allowNtlmV1: true,
  allowGuest: true,
});
const STATUSES = ['continue', 'ok', 'denied'];

/** A fresh session after a valid first leg, and the client's valid AUTHENTICATE for it. */
function afterChallenge(spnego: boolean): {
  accept: (t: Buffer) => ReturnType<ReturnType<NtlmServer['createSession']>['accept']>;
  auth: Buffer;
} {
  const client = new NtlmTestClient({ user: 'alice', domain: 'W', password: 'pw', spnego });
  const s = server.createSession();
  const first = s.accept(client.negotiate());
  if (first.status !== 'continue') throw new Error('continue expected');
  return { accept: (t) => s.accept(t), auth: client.authenticate(first.responseToken) };
}

describe('NTLM acceptor under fuzzing', () => {
  test('random first tokens: never throws, always continue or denied', () => {
    const prefixes = [
      Buffer.alloc(0),
      Buffer.from('NTLMSSP\0', 'latin1'),
      Buffer.from([0x60]),
      Buffer.from([0xa0]),
      Buffer.from([0xa1]),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (prefix, body) => {
        const r = server.createSession().accept(Buffer.concat([prefix, body]));
        expect(['continue', 'denied']).toContain(r.status);
      }),
      { numRuns: 1000 },
    );
  });

  test.each([false, true])('random second tokens (spnego=%s): never throws, never ok', (spnego) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const r = afterChallenge(spnego).accept(Buffer.from(body));
        expect(STATUSES).toContain(r.status);
        expect(r.status).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  test('every truncation of a valid AUTHENTICATE is denied', () => {
    const { auth } = afterChallenge(false);
    for (let n = 0; n < auth.length; n++) {
      const { accept, auth: fresh } = afterChallenge(false);
      expect(accept(fresh.subarray(0, Math.min(n, fresh.length - 1))).status).toBe('denied');
    }
  });

  test('any single-byte change to a MIC-bearing AUTHENTICATE is denied (bare NTLMSSP)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const { accept, auth } = afterChallenge(false);
        const t = Buffer.from(auth);
        t[at % t.length] = t[at % t.length]! ^ x;
        expect(accept(t).status).toBe('denied');
      }),
      { numRuns: 400 },
    );
  });

  test('any single-byte change to the AUTHENTICATE or mechListMIC inside SPNEGO is denied', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const { accept, auth } = afterChallenge(true);
        const t = parseSpnego(auth);
        if (t.kind !== 'resp') throw new Error('resp expected');
        // Both are views into `auth`: flip a byte inside one of them in place.
        const target = at % 2 === 0 ? t.resp.responseToken! : t.resp.mechListMIC!;
        const i = Math.floor(at / 2) % target.length;
        target[i] = target[i]! ^ x;
        expect(accept(auth).status).toBe('denied');
      }),
      { numRuns: 300 },
    );
  });

  test.each([false, true])(
    'the unchanged exchange succeeds (spnego=%s): the properties above are not vacuous',
    (spnego) => {
      const { accept, auth } = afterChallenge(spnego);
      expect(accept(auth).status).toBe('ok');
    },
  );

  test("an AUTHENTICATE answered to another session's challenge is denied (no replay across sessions)", () => {
    const other = afterChallenge(false);
    expect(afterChallenge(false).accept(other.auth)).toMatchObject({
      status: 'denied',
      code: 'WRONG_PASSWORD',
    });
  });
});
