/**
 * Bad input over real sockets: each case gets the NTSTATUS MS-SMB2 gives it (or, where the
 * spec demands, the end of that one connection) and nothing else suffers — the same connection
 * keeps working after a refused request, and other connections never notice.
 */
import { verifySignature } from '../../../../gateway/smb/crypto';
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, createBody, loggedOn, readBody, Smb2TestClient } from '../../../helpers/smb2-client';

const S = {
  SUCCESS: 0,
  INVALID_PARAMETER: 0xc000000d,
  NOT_SUPPORTED: 0xc00000bb,
  FILE_CLOSED: 0xc0000128,
  ACCESS_DENIED: 0xc0000022,
  USER_SESSION_DELETED: 0xc0000203,
  NETWORK_NAME_DELETED: 0xc00000c9,
  OBJECT_PATH_SYNTAX_BAD: 0xc000003b,
  OBJECT_NAME_INVALID: 0xc0000033,
  BAD_NETWORK_NAME: 0xc00000cc,
};

const echoBody = () => {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(4, 0);
  return b;
};

describe('SMB2 server: bad input', () => {
  let srv: TestSmbServer;
  const open: Smb2TestClient[] = [];
  const track = (c: Smb2TestClient) => {
    open.push(c);
    return c;
  };
  const healthy = async () => {
    const c = track(await loggedOn(srv.port));
    expect((await c.send(Cmd.ECHO, echoBody())).status).toBe(S.SUCCESS);
  };
  beforeAll(async () => {
    srv = await startTestSmbServer();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.end();
  });
  afterAll(() => srv.close());

  test('an oversized frame length ends that connection before the body arrives; others are fine', async () => {
    const c = track(await Smb2TestClient.connect(srv.port));
    c.writeRaw(Buffer.from([0, 0xff, 0xff, 0xff]));
    expect(await c.closesWithin(2000)).toBe(true);
    await healthy();
  });

  test('a truncated frame followed by a hang-up leaves the server serving', async () => {
    const c = track(await loggedOn(srv.port));
    c.writeRaw(Buffer.concat([Buffer.from([0, 0, 0, 200]), Buffer.alloc(50)]));
    c.end();
    await healthy();
  });

  test('a frame shorter than an SMB2 header, or not SMB2 at all, ends the connection', async () => {
    const a = track(await Smb2TestClient.connect(srv.port));
    await a.negotiate([0x0210]);
    a.sendFrame(Buffer.from([0xfe, 0x53, 0x4d, 0x42, 64, 0]));
    expect(await a.closesWithin(2000)).toBe(true);
    const b = track(await Smb2TestClient.connect(srv.port));
    b.sendFrame(Buffer.alloc(64, 0x41));
    expect(await b.closesWithin(2000)).toBe(true);
    await healthy();
  });

  test('an unknown command code is STATUS_INVALID_PARAMETER (as Samba) and the connection stays usable', async () => {
    const c = track(await loggedOn(srv.port));
    expect((await c.send(0x55, echoBody())).status).toBe(S.INVALID_PARAMETER);
    expect((await c.send(Cmd.ECHO, echoBody())).status).toBe(S.SUCCESS);
  });

  test('LOCK with LockCount 0 is STATUS_INVALID_PARAMETER', async () => {
    const c = track(await loggedOn(srv.port));
    const body = Buffer.alloc(48);
    body.writeUInt16LE(48, 0);
    expect((await c.send(Cmd.LOCK, body)).status).toBe(S.INVALID_PARAMETER);
  });

  test('a wrong StructureSize or a body shorter than it is STATUS_INVALID_PARAMETER', async () => {
    const c = track(await loggedOn(srv.port));
    const bad = createBody('x');
    bad.writeUInt16LE(56, 0);
    expect((await c.send(Cmd.CREATE, bad)).status).toBe(S.INVALID_PARAMETER);
    expect((await c.send(Cmd.CREATE, createBody('x').subarray(0, 40))).status).toBe(S.INVALID_PARAMETER);
    expect((await c.send(Cmd.ECHO, echoBody())).status).toBe(S.SUCCESS);
  });

  test('a name buffer pointing outside the message is STATUS_INVALID_PARAMETER', async () => {
    const c = track(await loggedOn(srv.port));
    const body = createBody('abc');
    body.writeUInt16LE(5000, 46);
    expect((await c.send(Cmd.CREATE, body)).status).toBe(S.INVALID_PARAMETER);
  });

  test('invalid FileIds: never opened, already closed, or half right, are STATUS_FILE_CLOSED', async () => {
    const c = track(await loggedOn(srv.port));
    expect((await c.close(Buffer.alloc(16, 0x42))).status).toBe(S.FILE_CLOSED);
    const { fileId } = await c.create('', { access: 0x81, options: 1 });
    const half = Buffer.from(fileId);
    half.writeBigUInt64LE(999n, 0);
    expect((await c.send(Cmd.READ, readBody(half, 10))).status).toBe(S.FILE_CLOSED);
    expect((await c.close(fileId)).status).toBe(S.SUCCESS);
    expect((await c.close(fileId)).status).toBe(S.FILE_CLOSED);
  });

  test("another session's FileId is STATUS_FILE_CLOSED to this one", async () => {
    const a = track(await loggedOn(srv.port));
    const b = track(await loggedOn(srv.port));
    const { fileId } = await a.create('', { access: 0x81, options: 1 });
    expect((await b.close(fileId)).status).toBe(S.FILE_CLOSED);
    expect((await a.close(fileId)).status).toBe(S.SUCCESS);
  });

  test('names leaving the share: .., a leading \\, streams', async () => {
    const c = track(await loggedOn(srv.port));
    expect((await c.create('..\\etc\\passwd')).r.status).toBe(S.OBJECT_PATH_SYNTAX_BAD);
    expect((await c.create('a\\..\\..\\x')).r.status).toBe(S.OBJECT_PATH_SYNTAX_BAD);
    expect((await c.create('\\etc\\passwd')).r.status).toBe(S.INVALID_PARAMETER);
    expect((await c.create('file.txt:secret:$DATA', { disposition: 3 })).r.status).toBe(
      S.OBJECT_NAME_INVALID,
    );
  });

  test('unknown SessionId: STATUS_USER_SESSION_DELETED; unknown TreeId: STATUS_NETWORK_NAME_DELETED', async () => {
    const c = track(await loggedOn(srv.port));
    expect((await c.create('', { options: 1 }, { sessionId: 12345n })).r.status).toBe(S.USER_SESSION_DELETED);
    expect((await c.create('', { options: 1 }, { treeId: 777 })).r.status).toBe(S.NETWORK_NAME_DELETED);
    expect((await c.treeConnect('\\\\127.0.0.1\\nope')).status).toBe(S.BAD_NETWORK_NAME);
  });

  test('a MessageId outside the credit window ends the connection (§3.3.5.2.3)', async () => {
    const c = track(await loggedOn(srv.port));
    c.sendFrame(c.message({ command: Cmd.ECHO, body: echoBody(), messageId: 1_000_000n }));
    expect(await c.nextFrame()).toBeUndefined();
    await healthy();
  });

  test('a CreditCharge too small for the READ it carries is STATUS_INVALID_PARAMETER (§3.3.5.2.5)', async () => {
    const c = track(await loggedOn(srv.port));
    const { fileId } = await c.create('big', { disposition: 5 });
    const r = await c.send(Cmd.READ, readBody(fileId, 1 << 20), { creditCharge: 1 });
    expect(r.status).toBe(S.INVALID_PARAMETER);
    expect((await c.close(fileId)).status).toBe(S.SUCCESS);
  });

  test.each([
    ['2.1 (HMAC-SHA256)', 0x0210],
    ['3.0 (AES-CMAC)', 0x0300],
    ['3.1.1 (AES-CMAC, preauth-derived key)', 0x0311],
  ])('%s: a bad signature is STATUS_ACCESS_DENIED, the next good one works', async (_title, d) => {
    const c = track(await loggedOn(srv.port, [d]));
    const msg = c.message({ command: Cmd.ECHO, body: echoBody(), sign: true });
    msg[60] ^= 0xff;
    c.sendFrame(msg);
    const f = (await c.nextFrame())!;
    expect(f.readUInt32LE(8)).toBe(S.ACCESS_DENIED);
    const ok = await c.send(Cmd.ECHO, echoBody(), { sign: true });
    expect(ok.status).toBe(S.SUCCESS);
    expect(verifySignature(ok.raw, c.signingKey!, c.signingAlgorithm)).toBe(true);
  });
});

describe('SMB2 server that requires signing', () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer({ requireSigning: true });
  });
  afterAll(() => srv.close());

  test('an unsigned request on a signed session is STATUS_ACCESS_DENIED; signed ones work', async () => {
    const c = await Smb2TestClient.connect(srv.port);
    const n = await c.negotiate([0x0300]);
    expect(n.body.readUInt16LE(2) & 2).toBe(2);
    expect((await c.sessionSetup('alice', 'secret')).status).toBe(0);
    expect((await c.send(Cmd.ECHO, echoBody(), { sign: false })).status).toBe(S.ACCESS_DENIED);
    const ok = await c.send(Cmd.ECHO, echoBody(), { sign: true });
    expect(ok.status).toBe(S.SUCCESS);
    expect(verifySignature(ok.raw, c.signingKey!, 'aes-cmac')).toBe(true);
    c.end();
  });
});
