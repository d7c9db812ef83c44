/**
 * Sessions (MS-SMB2 §3.3.5.5, §3.3.5.6): several on one connection, each with its own trees and
 * opens; the final SESSION_SETUP response signed with the key both sides derived (for 3.1.1,
 * from the preauth hash); LOGOFF and TREE_DISCONNECT end what hangs off them; a session that
 * failed to authenticate leaves nothing behind.
 */
import { verifySignature } from '../../../../gateway/smb/crypto';
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, loggedOn, Smb2TestClient } from '../../../helpers/smb2-client';

const S = {
  SUCCESS: 0,
  LOGON_FAILURE: 0xc000006d,
  USER_SESSION_DELETED: 0xc0000203,
  NETWORK_NAME_DELETED: 0xc00000c9,
};
const four = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(n, 0);
  return b;
};

describe('SMB2 sessions', () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer({
      users: [
        { user: 'alice', password: 'secret' },
        { user: 'bob', password: 'pw' },
      ],
    });
  });
  afterAll(() => srv.close());

  test.each([
    ['2.0.2', 0x0202, 'hmac-sha256'],
    ['2.1', 0x0210, 'hmac-sha256'],
    ['3.0', 0x0300, 'aes-cmac'],
    ['3.0.2', 0x0302, 'aes-cmac'],
    ['3.1.1', 0x0311, 'aes-cmac'],
  ] as const)(
    '%s: the final SESSION_SETUP response is signed with the key the client derived',
    async (_t, d, alg) => {
      const c = await Smb2TestClient.connect(srv.port);
      await c.negotiate([d]);
      const r = await c.sessionSetup('alice', 'secret');
      expect(r.status).toBe(S.SUCCESS);
      expect(r.flags & 0x8).toBe(0x8);
      expect(verifySignature(r.raw, c.signingKey!, alg)).toBe(true);
      c.end();
    },
  );

  test('bare NTLMSSP (no SPNEGO) logs on too, answered in kind', async () => {
    const c = await Smb2TestClient.connect(srv.port);
    await c.negotiate([0x0210]);
    const r = await c.sessionSetup('alice', 'secret', false);
    expect(r.status).toBe(S.SUCCESS);
    expect(r.body.readUInt16LE(6)).toBe(0); // no security buffer: bare NTLM ends without a token
    c.end();
  });

  test('two users on one connection: each session its own trees; LOGOFF of one leaves the other', async () => {
    const c = await loggedOn(srv.port);
    const aliceSession = c.sessionId;
    const aliceTree = c.treeId;
    c.sessionId = 0n;
    expect((await c.sessionSetup('bob', 'pw')).status).toBe(S.SUCCESS);
    const bobSession = c.sessionId;
    expect(bobSession).not.toBe(aliceSession);
    expect((await c.send(Cmd.ECHO, four(4), { sessionId: bobSession })).status).toBe(S.SUCCESS);
    // Alice's tree is not Bob's.
    expect((await c.create('', { options: 1 }, { sessionId: bobSession, treeId: aliceTree })).r.status).toBe(
      S.NETWORK_NAME_DELETED,
    );
    expect((await c.send(Cmd.LOGOFF, four(4), { sessionId: bobSession })).status).toBe(S.SUCCESS);
    expect((await c.send(Cmd.LOGOFF, four(4), { sessionId: bobSession })).status).toBe(
      S.USER_SESSION_DELETED,
    );
    const { r } = await c.create(
      '',
      { access: 0x81, options: 1 },
      { sessionId: aliceSession, treeId: aliceTree },
    );
    expect(r.status).toBe(S.SUCCESS);
    c.end();
  });

  test('TREE_DISCONNECT closes the tree: its TreeId is gone and its opens with it', async () => {
    const c = await loggedOn(srv.port);
    const { fileId } = await c.create('', { access: 0x81, options: 1 });
    expect((await c.send(Cmd.TREE_DISCONNECT, four(4))).status).toBe(S.SUCCESS);
    expect((await c.close(fileId)).status).toBe(S.NETWORK_NAME_DELETED);
    expect(srv.server.context.opens.size).toBe(0);
    c.end();
  });

  test('a failed logon leaves no session behind, and the connection can try again', async () => {
    const c = await Smb2TestClient.connect(srv.port);
    await c.negotiate([0x0311]);
    expect((await c.sessionSetup('alice', 'nope')).status).toBe(S.LOGON_FAILURE);
    expect((await c.sessionSetup('alice', 'secret')).status).toBe(S.SUCCESS);
    c.end();
  });

  test('a lost connection closes its opens', async () => {
    const c = await loggedOn(srv.port);
    await c.create('', { access: 0x81, options: 1 });
    expect(srv.server.context.opens.size).toBe(1);
    c.end();
    for (let i = 0; i < 50 && srv.server.context.opens.size > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(srv.server.context.opens.size).toBe(0);
  });
});
