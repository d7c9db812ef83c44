/**
 * NEGOTIATE over a real socket (MS-SMB2 §3.3.5.3, §3.3.5.4): the highest common dialect, the
 * 3.1.1 contexts, what we advertise (never encryption), and the requests that end a connection.
 */

import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, Smb2TestClient } from '../../../helpers/smb2-client';

const S = { SUCCESS: 0, INVALID_PARAMETER: 0xc000000d, NOT_SUPPORTED: 0xc00000bb };
const ENCRYPTION_CAP = 0x40;

/** An SMB1 NEGOTIATE listing `dialects` (MS-CIFS §2.2.4.52.1). */
function smb1Negotiate(dialects: string[]): Buffer {
  const h = Buffer.alloc(32);
  h.writeUInt32LE(0x424d53ff, 0);
  h[4] = 0x72;
  const bytes = Buffer.concat(
    dialects.map((d) => Buffer.concat([Buffer.of(2), Buffer.from(`${d}\0`, 'latin1')])),
  );
  const tail = Buffer.alloc(3);
  tail.writeUInt16LE(bytes.length, 1);
  return Buffer.concat([h, tail, bytes]);
}

describe('SMB2 NEGOTIATE', () => {
  let srv: TestSmbServer;
  const clients: Smb2TestClient[] = [];
  const client = async () => {
    const c = await Smb2TestClient.connect(srv.port);
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

  test.each([
    [[0x0202], 0x0202],
    [[0x0202, 0x0210], 0x0210],
    [[0x0300, 0x0202], 0x0300],
    [[0x0202, 0x0210, 0x0300, 0x0302], 0x0302],
    [[0x0202, 0x0210, 0x0300, 0x0302, 0x0311], 0x0311],
  ])('offered %j: %s is chosen', async (offered, chosen) => {
    const c = await client();
    const r = await c.negotiate(offered);
    expect(r.status).toBe(S.SUCCESS);
    expect(r.body.readUInt16LE(0)).toBe(65);
    expect(r.body.readUInt16LE(4)).toBe(chosen);
    // The client offers SMB2_GLOBAL_CAP_ENCRYPTION (0x7f): 3.0/3.0.2 answer it; 3.1.1 uses a context.
    expect(r.body.readUInt32LE(24) & ENCRYPTION_CAP).toBe(
      chosen === 0x0300 || chosen === 0x0302 ? ENCRYPTION_CAP : 0,
    );
    expect(r.credits).toBeGreaterThanOrEqual(1);
    // 2.0.2 gets 64 KiB I/O; 2.1+ gets LARGE_MTU and 8 MiB.
    expect(r.body.readUInt32LE(32)).toBe(chosen === 0x0202 ? 65536 : 8 << 20);
    // The security buffer is our SPNEGO hint (GSS [APPLICATION 0]).
    expect(r.raw[r.body.readUInt16LE(56)]).toBe(0x60);
  });

  test('3.1.1 answers PREAUTH_INTEGRITY (SHA-512, 32-byte salt) and SIGNING (AES-CMAC), nothing else', async () => {
    const c = await client();
    const r = await c.negotiate([0x0311]);
    expect(r.body.readUInt16LE(6)).toBe(2);
    let at = r.body.readUInt32LE(60);
    const types: number[] = [];
    for (let i = 0; i < 2; i++) {
      at = (at + 7) & ~7;
      const type = r.raw.readUInt16LE(at);
      const len = r.raw.readUInt16LE(at + 2);
      const data = r.raw.subarray(at + 8, at + 8 + len);
      types.push(type);
      if (type === 1)
        expect([data.readUInt16LE(0), data.readUInt16LE(2), data.readUInt16LE(4)]).toEqual([1, 32, 1]);
      if (type === 8) expect([data.readUInt16LE(0), data.readUInt16LE(2)]).toEqual([1, 1]);
      at += 8 + len;
    }
    expect(types).toEqual([1, 8]);
  });

  test('DialectCount 0 is STATUS_INVALID_PARAMETER; no common dialect is STATUS_NOT_SUPPORTED', async () => {
    const a = await client();
    expect((await a.negotiate([])).status).toBe(S.INVALID_PARAMETER);
    const b = await client();
    expect((await b.negotiate([0x0201, 0x0400])).status).toBe(S.NOT_SUPPORTED);
  });

  test('3.1.1 without a PREAUTH_INTEGRITY context is STATUS_INVALID_PARAMETER', async () => {
    const c = await client();
    const body = Buffer.alloc(38);
    body.writeUInt16LE(36, 0);
    body.writeUInt16LE(1, 2);
    body.writeUInt16LE(0x0311, 36);
    const [r] = await c.compound([{ command: Cmd.NEGOTIATE, body, creditCharge: 0 }]);
    expect(r!.status).toBe(S.INVALID_PARAMETER);
  });

  test('a second NEGOTIATE on a negotiated connection ends it unanswered (§3.3.5.4)', async () => {
    const c = await client();
    await c.negotiate([0x0210]);
    c.sendFrame(c.message({ command: Cmd.NEGOTIATE, body: Buffer.alloc(36) }));
    expect(await c.nextFrame()).toBeUndefined();
  });

  test('any other command before NEGOTIATE ends the connection', async () => {
    const c = await client();
    const echo = Buffer.alloc(4);
    echo.writeUInt16LE(4, 0);
    c.sendFrame(c.message({ command: Cmd.ECHO, body: echo }));
    expect(await c.nextFrame()).toBeUndefined();
  });

  test('SMB1 NEGOTIATE listing "SMB 2.???": the 0x02FF wildcard, then an SMB2 NEGOTIATE with MessageId 1', async () => {
    const c = await client();
    c.sendFrame(smb1Negotiate(['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']));
    const f = (await c.nextFrame())!;
    expect(f.readUInt32LE(0)).toBe(0x424d53fe);
    expect(f.readBigUInt64LE(24)).toBe(0n);
    expect(f.subarray(64).readUInt16LE(4)).toBe(0x02ff);
    c.nextMid = 1n;
    const r = await c.negotiate();
    expect(r.body.readUInt16LE(4)).toBe(0x0311);
  });

  test('SMB1 NEGOTIATE listing only "SMB 2.002" negotiates 2.0.2 at once', async () => {
    const c = await client();
    c.sendFrame(smb1Negotiate(['NT LM 0.12', 'SMB 2.002']));
    const f = (await c.nextFrame())!;
    expect(f.subarray(64).readUInt16LE(4)).toBe(0x0202);
  });

  test('SMB1 without any SMB2 dialect, or any later SMB1 message, ends the connection', async () => {
    const a = await client();
    a.sendFrame(smb1Negotiate(['NT LM 0.12']));
    expect(await a.nextFrame()).toBeUndefined();
    const b = await client();
    await b.negotiate([0x0210]);
    b.sendFrame(smb1Negotiate(['SMB 2.???']));
    expect(await b.nextFrame()).toBeUndefined();
  });
});
