import { PreauthHash, preauthHashStep } from '../../../../../gateway/smb/crypto/preauth-hash';
import { WIN311 } from '../../../../helpers/smb-auth-vectors';

describe('SMB 3.1.1 preauth integrity hash (MS-SMB2 §3.3.5.4–5)', () => {
  test('replays the Windows exchange: NEGOTIATE on the connection, SESSION_SETUP on a forked session chain', () => {
    const conn = new PreauthHash();
    expect(conn.value).toEqual(Buffer.alloc(64));
    conn.update(WIN311.negotiateRequest);
    expect(conn.value).toEqual(WIN311.preauth[0]);
    conn.update(WIN311.negotiateResponse);
    expect(conn.value).toEqual(WIN311.preauth[1]);

    const session = conn.fork();
    session.update(WIN311.sessionSetupRequest1);
    expect(session.value).toEqual(WIN311.preauth[2]);
    session.update(WIN311.sessionSetupResponse1);
    expect(session.value).toEqual(WIN311.preauth[3]);
    session.update(WIN311.sessionSetupRequest2);
    // The KDF context: after the last request; the final (successful) response is not hashed.
    expect(session.value).toEqual(WIN311.preauth[4]);
    expect(conn.value).toEqual(WIN311.preauth[1]);
  });

  test('replays the bound second channel from its NEGOTIATE hash', () => {
    const c = WIN311.channel2;
    const s = new PreauthHash(c.preauthAfterNegotiate);
    s.update(c.sessionSetupRequest1);
    expect(s.value).toEqual(c.preauth[0]);
    s.update(c.sessionSetupResponse1);
    expect(s.value).toEqual(c.preauth[1]);
    s.update(c.sessionSetupRequest2);
    expect(s.value).toEqual(c.preauth[2]);
  });

  test('one step is SHA-512(previous ‖ message); value is a copy', () => {
    const h = new PreauthHash();
    expect(h.update(WIN311.negotiateRequest).value).toEqual(
      preauthHashStep(Buffer.alloc(64), WIN311.negotiateRequest),
    );
    h.value.fill(0xff);
    expect(h.value).toEqual(WIN311.preauth[0]);
  });

  test('rejects an initial value that is not 64 bytes', () => {
    expect(() => new PreauthHash(Buffer.alloc(32))).toThrow(RangeError);
  });
});
