/**
 * smbclient's logon paths against the SMB server: a wrong password or an unknown user is
 * NT_STATUS_LOGON_FAILURE with one clear warning in the server log (who, from where, why) and
 * no access; the SMB1-first negotiate (client min protocol = NT1) gets the SMB2 wildcard
 * answer and goes on in SMB2; a server that requires signing is met by a default smbclient.
 */
import { describePeer } from '../helpers/peers';
import { startTestSmbServer, type TestSmbServer } from '../helpers/smb-server';
import { parseLs, smbclient, smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(60_000);

describePeer('smbclient: logon', 'smbclient', smbclientPresent, () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer();
  });
  afterAll(() => srv?.close());

  test('wrong password: NT_STATUS_LOGON_FAILURE, and the server logs user, client and reason', async () => {
    const r = await smbclient('ls', { port: srv.port, password: 'not-the-password' });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('NT_STATUS_LOGON_FAILURE');
    const line = srv.entries.find((e) => e.message === 'SMB logon failed' && e.user === 'alice');
    expect(line).toMatchObject({
      level: 'warn',
      code: 'WRONG_PASSWORD',
      client: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(String(line?.reason)).toMatch(/wrong password/);
  });

  test('unknown user: NT_STATUS_LOGON_FAILURE, logged as such', async () => {
    const r = await smbclient('ls', { port: srv.port, user: 'mallory', password: 'x' });
    expect(r.stdout + r.stderr).toContain('NT_STATUS_LOGON_FAILURE');
    expect(srv.entries.find((e) => e.message === 'SMB logon failed' && e.user === 'mallory')).toMatchObject({
      code: 'UNKNOWN_USER',
    });
  });

  test('SMB1 multi-protocol NEGOTIATE first (client min protocol = NT1): wildcard answer, then SMB2', async () => {
    const out = await smbclientOk('ls', { port: srv.port, extra: ['--option=client min protocol=NT1'] });
    expect(parseLs(out).map((e) => e.name)).toContain('.');
    expect(
      srv.entries.some((e) => e.message === 'SMB1 multi-protocol NEGOTIATE answered' && e.dialect === '2ff'),
    ).toBe(true);
  });
});

describePeer('smbclient: server that requires signing', 'smbclient', smbclientPresent, () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer({ requireSigning: true });
  });
  afterAll(() => srv?.close());

  test.each(['SMB2_02', 'SMB3_00', 'SMB3_11'])(
    '%s: a default smbclient signs and works',
    async (protocol) => {
      const out = await smbclientOk('mkdir x; ls; rmdir x', { port: srv.port, protocol });
      expect(parseLs(out).map((e) => e.name)).toContain('x');
    },
  );
});
