/**
 * Sessions across connections (MS-SMB2 §3.3.1.5 GlobalSessionTable, §3.3.5.5): a reconnect
 * naming PreviousSessionId logs the old session off wherever it is; a failed re-authentication
 * ends the session; a bind (multichannel) that does not match is refused with Samba's status for the
 * mismatch, and a plain SESSION_SETUP naming another connection's session is
 * USER_SESSION_DELETED — each signed by that session when the request carries its signature.
 * (A successful bind is smbtorture's smb2.session.bind1 and bind_negative_smb3signCtoH*.)
 */
import { verifySignature } from '../../../../gateway/smb/crypto';
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, createBody, loggedOn, Smb2TestClient } from '../../../helpers/smb2-client';

const S = {
  SUCCESS: 0,
  LOGON_FAILURE: 0xc000006d,
  USER_SESSION_DELETED: 0xc0000203,
  REQUEST_NOT_ACCEPTED: 0xc00000d0,
  ACCESS_DENIED: 0xc0000022,
  INVALID_PARAMETER: 0xc000000d,
};

/** A SESSION_SETUP body with no security buffer; `binding` sets SMB2_SESSION_FLAG_BINDING. */
function setupBody(binding: boolean): Buffer {
  const b = Buffer.alloc(25);
  b.writeUInt16LE(25, 0);
  b[2] = binding ? 1 : 0;
  b.writeUInt16LE(64 + 24, 12);
  return b;
}

describe('SMB2 sessions across connections', () => {
  let srv: TestSmbServer;
  const clients: Smb2TestClient[] = [];
  const track = <T extends Smb2TestClient>(c: T): T => {
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    srv = await startTestSmbServer();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end();
  });
  afterAll(() => srv.close());

  test('PreviousSessionId of the same user logs the old session off on its own connection', async () => {
    const a = track(await loggedOn(srv.port, [0x0311]));
    const opened = await a.create('prev.txt', { disposition: 3 });
    expect(opened.r.status).toBe(S.SUCCESS);
    const b = track(await Smb2TestClient.connect(srv.port));
    await b.negotiate([0x0311]);
    const s = await b.sessionSetup('alice', 'secret', true, 1, { previousSessionId: a.sessionId });
    expect(s.status).toBe(S.SUCCESS);
    expect(b.sessionId).not.toBe(a.sessionId);
    // The old session is gone: its connection is still up but the session is not.
    expect((await a.send(Cmd.CREATE, createBody('prev2.txt', { disposition: 3 }))).status).toBe(
      S.USER_SESSION_DELETED,
    );
    expect(srv.server.context.opens.opensWhere(() => true)).toHaveLength(0);
  });

  test('a failed re-authentication ends the session (LOGON_FAILURE, then USER_SESSION_DELETED)', async () => {
    const a = track(await loggedOn(srv.port, [0x0300]));
    expect((await a.create('reauth.txt', { disposition: 3 })).r.status).toBe(S.SUCCESS);
    const r = await a.sessionSetup('alice', 'wrong', true, 1, { reauth: true });
    expect(r.status).toBe(S.LOGON_FAILURE);
    expect((await a.send(Cmd.CREATE, createBody('reauth2.txt', { disposition: 3 }))).status).toBe(
      S.USER_SESSION_DELETED,
    );
    expect(srv.server.context.opens.opensWhere((o) => o.path.includes('reauth'))).toHaveLength(0);
  });

  test('a successful re-authentication keeps the session and its opens', async () => {
    const a = track(await loggedOn(srv.port, [0x0311]));
    expect((await a.create('keep.txt', { disposition: 3 })).r.status).toBe(S.SUCCESS);
    expect((await a.sessionSetup('alice', 'secret', true, 1, { reauth: true })).status).toBe(S.SUCCESS);
    expect((await a.send(Cmd.CREATE, createBody('keep2.txt', { disposition: 3 }))).status).toBe(S.SUCCESS);
  });

  test.each([
    ['a 2.1 connection', [0x0210], S.REQUEST_NOT_ACCEPTED],
    ['a 3.0 connection (the session is 3.1.1)', [0x0300], S.INVALID_PARAMETER],
  ])('a bind from %s is refused, signed by the session', async (_t, dialects, status) => {
    const a = track(await loggedOn(srv.port, [0x0311]));
    const b = track(await Smb2TestClient.connect(srv.port));
    await b.negotiate(dialects);
    b.signingKey = a.signingKey;
    b.signingAlgorithm = a.signingAlgorithm;
    const r = await b.send(Cmd.SESSION_SETUP, setupBody(true), { sessionId: a.sessionId, sign: true });
    expect(r.status).toBe(status);
    expect(r.sessionId).toBe(a.sessionId);
    expect(r.flags & 8).toBe(8);
    expect(verifySignature(r.raw, a.signingKey!, a.signingAlgorithm)).toBe(true);
    // A request that does not carry the session's signature gets an unsigned answer.
    const u = await b.send(Cmd.SESSION_SETUP, setupBody(true), { sessionId: a.sessionId, sign: false });
    expect(u.status).toBe(status);
    expect(u.flags & 8).toBe(0);
  });

  test('a bind that matches but is not signed with the session key is ACCESS_DENIED, unsigned', async () => {
    const a = track(await loggedOn(srv.port, [0x0311]));
    const b = track(await Smb2TestClient.connect(srv.port));
    await b.negotiate([0x0311]);
    const r = await b.send(Cmd.SESSION_SETUP, setupBody(true), { sessionId: a.sessionId, sign: false });
    expect(r.status).toBe(S.ACCESS_DENIED);
    expect(r.flags & 8).toBe(0);
  });

  test("a plain SESSION_SETUP naming another connection's session is USER_SESSION_DELETED", async () => {
    const a = track(await loggedOn(srv.port, [0x0311]));
    const b = track(await Smb2TestClient.connect(srv.port));
    await b.negotiate([0x0311]);
    b.signingKey = a.signingKey;
    b.signingAlgorithm = a.signingAlgorithm;
    const r = await b.send(Cmd.SESSION_SETUP, setupBody(false), { sessionId: a.sessionId, sign: true });
    expect(r.status).toBe(S.USER_SESSION_DELETED);
    expect(verifySignature(r.raw, a.signingKey!, a.signingAlgorithm)).toBe(true);
    // The session itself is unharmed.
    expect((await a.send(Cmd.CREATE, createBody('still.txt', { disposition: 3 }))).status).toBe(S.SUCCESS);
  });
});
