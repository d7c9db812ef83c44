/**
 * SMB3 encryption over a real socket (MS-SMB2 §2.2.41, §3.3.5.2.1.1, §3.3.4.1.4), with keys the
 * test derives itself from the logon: a TRANSFORM frame is decrypted and answered in one; a
 * compound goes in one transform each way; a frame whose tag does not verify ends that
 * connection with a log line and no other; 'required' refuses unencrypted requests and clients
 * that cannot encrypt.
 */
import { deriveSmb3Keys } from '../../../../gateway/smb/crypto';
import { decryptTransform, encryptTransform, newSessionCipher } from '../../../../gateway/smb/transform';
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, loggedOn, parseReplies, Smb2TestClient } from '../../../helpers/smb2-client';

const S = { SUCCESS: 0, ACCESS_DENIED: 0xc0000022 };
const ECHO = Buffer.from([4, 0, 0, 0]);

/** The client's view of the session's keys (3.0: fixed labels, AES-128-CCM). */
function clientCipher(c: Smb2TestClient) {
  const k = deriveSmb3Keys(c.sessionKey!, 0x0300);
  // The server's decryption key is what the client encrypts with, and the other way round.
  return newSessionCipher('aes-128-ccm', k.decryptionKey, k.encryptionKey);
}

async function sealedEcho(c: Smb2TestClient, count = 1): Promise<Buffer> {
  const keys = clientCipher(c);
  const msgs = Array.from({ length: count }, () => c.message({ command: Cmd.ECHO, body: ECHO }));
  const plain = Buffer.concat(
    msgs.map((m, i) => {
      if (i + 1 === msgs.length) return m;
      // Members start 8-byte aligned: a 68-byte ECHO is padded to 72, NextCommand 72.
      const padded = Buffer.alloc(72);
      m.copy(padded);
      padded.writeUInt32LE(72, 20);
      return padded;
    }),
  );
  c.sendFrame(encryptTransform(plain, c.sessionId, keys));
  return (await c.nextFrame())!;
}

describe('SMB3 encryption over a socket', () => {
  let srv: TestSmbServer;
  const clients: Smb2TestClient[] = [];
  const client = async (dialects = [0x0300]) => {
    const c = await loggedOn(srv.port, dialects);
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

  test('3.0 with SMB2_GLOBAL_CAP_ENCRYPTION: an encrypted ECHO is answered in a TRANSFORM frame', async () => {
    const c = await client();
    const frame = await sealedEcho(c);
    expect(frame.readUInt32LE(0)).toBe(0x424d53fd);
    expect(frame.readBigUInt64LE(44)).toBe(c.sessionId);
    expect(frame.readUInt16LE(42)).toBe(1);
    const keys = clientCipher(c);
    const plain = decryptTransform(frame, keys);
    expect(frame.readUInt32LE(36)).toBe(plain.length);
    const [r] = parseReplies(plain);
    expect(r!.command).toBe(Cmd.ECHO);
    expect(r!.status).toBe(S.SUCCESS);
    // An encrypted response is not signed (§3.3.4.1.1).
    expect(r!.flags & 8).toBe(0);
  });

  test('a compound of three goes in one transform each way', async () => {
    const c = await client();
    const frame = await sealedEcho(c, 3);
    const keys = clientCipher(c);
    const replies = parseReplies(decryptTransform(frame, keys));
    expect(replies.map((r) => [r.command, r.status])).toEqual([
      [Cmd.ECHO, 0],
      [Cmd.ECHO, 0],
      [Cmd.ECHO, 0],
    ]);
  });

  test('a tag that does not verify ends that connection, logged; another connection is unharmed', async () => {
    const victim = await client();
    const bystander = await client();
    const frame = encryptTransform(
      victim.message({ command: Cmd.ECHO, body: ECHO }),
      victim.sessionId,
      clientCipher(victim),
    );
    frame[4]! ^= 0xff;
    victim.sendFrame(frame);
    expect(await victim.closesWithin(2000)).toBe(true);
    expect(srv.entries.some((e) => e.message === 'SMB3 decryption failed' && e.level === 'warn')).toBe(true);
    expect((await bystander.send(Cmd.ECHO, ECHO)).status).toBe(S.SUCCESS);
    expect((await sealedEcho(bystander)).readUInt32LE(0)).toBe(0x424d53fd);
  });

  test('2.1 has no encryption: a TRANSFORM frame ends the connection', async () => {
    const c = await client([0x0210]);
    c.sendFrame(Buffer.concat([Buffer.from([0xfd, 0x53, 0x4d, 0x42]), Buffer.alloc(48 + 68)]));
    expect(await c.closesWithin(2000)).toBe(true);
  });
});

describe("smbEncryption 'required'", () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer({ encryption: 'required' });
  });
  afterAll(() => srv.close());

  test('a 2.1 client cannot encrypt: its logon is ACCESS_DENIED', async () => {
    await expect(loggedOn(srv.port, [0x0210])).rejects.toThrow('logon failed: 0xc0000022');
  });

  test('3.0: SESSION_SETUP says ENCRYPT_DATA; unencrypted requests are ACCESS_DENIED, encrypted ones work', async () => {
    const d = await Smb2TestClient.connect(srv.port);
    try {
      await d.negotiate([0x0300]);
      const s = await d.sessionSetup('alice', 'secret');
      expect(s.status).toBe(S.SUCCESS);
      expect(s.body.readUInt16LE(2) & 0x0004).toBe(0x0004);
      expect((await d.send(Cmd.ECHO, ECHO)).status).toBe(S.ACCESS_DENIED);
      const frame = await sealedEcho(d);
      const keys = clientCipher(d);
      const [r] = parseReplies(decryptTransform(frame, keys));
      expect(r!.status).toBe(S.SUCCESS);
    } finally {
      d.end();
    }
  });
});
