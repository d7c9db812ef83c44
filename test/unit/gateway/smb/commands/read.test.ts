/**
 * READ (MS-SMB2 §3.3.5.12) of large ranges with the raw client: the server reads 1 MiB pieces
 * all in flight straight into the response body, so the bytes must come back exactly, in
 * order, cut at end of file wherever it falls (inside a piece or on its edge), and two large
 * READs in flight at once (pooled response buffers) must not share memory.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import { Cmd, loggedOn, readBody, type Smb2TestClient } from '../../../../helpers/smb2-client';

const MiB = 1 << 20;
const END_OF_FILE = 0xc0000011;
const SIZE = 4 * MiB + 100;

describe('READ of large ranges', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  let fileId: Buffer;
  const content = randomBytes(SIZE);

  /** READ `length` at `offset` (MinimumCount `min`): status and the data returned. */
  const read = async (length: number, offset: number, min = 0) => {
    const body = readBody(fileId, length, BigInt(offset));
    body.writeUInt32LE(min, 32);
    const r = await c.send(Cmd.READ, body, { creditCharge: Math.max(1, Math.ceil(length / 65536)) });
    if (r.status !== 0) return { status: r.status, data: Buffer.alloc(0) };
    expect(r.body.readUInt16LE(0)).toBe(17);
    expect(r.body[2]).toBe(80); // DataOffset from the start of the header
    const n = r.body.readUInt32LE(4);
    return { status: r.status, data: Buffer.from(r.body.subarray(16, 16 + n)) };
  };

  beforeAll(async () => {
    srv = await startTestSmbServer();
    await writeFile(join(srv.dir, 'big'), content, { mode: 0o644 });
    c = await loggedOn(srv.port, [0x0302]);
    // Enough credits for 8 MiB requests (128 each): every reply grants what the client asks.
    for (let i = 0; i < 4; i++) await c.send(Cmd.ECHO, Buffer.from([4, 0, 0, 0]), { creditRequest: 256 });
    const opened = await c.create('big', { access: 0x80 | 0x1 });
    expect(opened.r.status).toBe(0);
    fileId = opened.fileId;
  });

  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('whole pieces in the middle of the file come back exactly', async () => {
    const r = await read(3 * MiB, MiB + MiB / 2);
    expect(r.status).toBe(0);
    expect(r.data.equals(content.subarray(MiB + MiB / 2, 4 * MiB + MiB / 2))).toBe(true);
  });

  test('a read past the end stops at end of file, inside a piece', async () => {
    const r = await read(8 * MiB, 0);
    expect(r.status).toBe(0);
    expect(r.data.length).toBe(SIZE);
    expect(r.data.equals(content)).toBe(true);
  });

  test('end of file on a piece edge, and a tail shorter than a piece', async () => {
    const edge = await read(2 * MiB, 2 * MiB + 100);
    expect(edge.data.equals(content.subarray(2 * MiB + 100))).toBe(true);
    const tail = await read(2 * MiB, 4 * MiB + 50);
    expect(tail.data.equals(content.subarray(4 * MiB + 50))).toBe(true);
  });

  test('at end of file, or less than MinimumCount: STATUS_END_OF_FILE', async () => {
    expect((await read(MiB, SIZE)).status).toBe(END_OF_FILE);
    expect((await read(2 * MiB, 4 * MiB, 200)).status).toBe(END_OF_FILE);
  });

  test('large READs in flight together each get their own bytes, again and again', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([read(2 * MiB, 0), read(2 * MiB, 2 * MiB)]);
      expect(a.data.equals(content.subarray(0, 2 * MiB))).toBe(true);
      expect(b.data.equals(content.subarray(2 * MiB, 4 * MiB))).toBe(true);
    }
  });
});
