/**
 * File semantics Windows clients count on, over a real socket against files on disk:
 * case-insensitive lookup on a miss (MS-FSCC §2.1.5.1), server-side copy (MS-SMB2 §3.3.5.15.6
 * with the §3.3.3 limits), SET_INFO of a security descriptor mapped onto the mode and read back
 * by QUERY_INFO (MS-DTYP §2.4.6), and delete-on-close of a read-only file (MS-FSA §2.1.5.1.2.1).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import { Cmd, loggedOn, type Smb2TestClient } from '../../../../helpers/smb2-client';

const S = {
  SUCCESS: 0,
  INVALID_PARAMETER: 0xc000000d,
  CANNOT_DELETE: 0xc0000121,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  INVALID_VIEW_SIZE: 0xc000001f,
};
const FSCTL = { RESUME_KEY: 0x00140078, COPYCHUNK: 0x001440f2, UNKNOWN: 0x00090018 };
const ALL = 0x001f01ff;

function ioctlBody(code: number, fileId: Buffer, input: Buffer, maxOut: number): Buffer {
  const b = Buffer.alloc(56 + input.length);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(code, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(64 + 56, 24);
  b.writeUInt32LE(input.length, 28);
  b.writeUInt32LE(maxOut, 44);
  b.writeUInt32LE(1, 48);
  input.copy(b, 56);
  return b;
}

function ioctlOutput(body: Buffer): Buffer {
  const at = body.readUInt32LE(32) - 64;
  return body.subarray(at, at + body.readUInt32LE(36));
}

function copyChunkInput(key: Buffer, chunks: [number, number, number][]): Buffer {
  const b = Buffer.alloc(32 + 24 * chunks.length);
  key.copy(b, 0);
  b.writeUInt32LE(chunks.length, 24);
  chunks.forEach(([src, dst, len], i) => {
    b.writeBigUInt64LE(BigInt(src), 32 + 24 * i);
    b.writeBigUInt64LE(BigInt(dst), 40 + 24 * i);
    b.writeUInt32LE(len, 48 + 24 * i);
  });
  return b;
}

function queryInfoBody(fileId: Buffer, type: number, cls: number, additional: number, outLen = 4096): Buffer {
  const b = Buffer.alloc(41);
  b.writeUInt16LE(41, 0);
  b[2] = type;
  b[3] = cls;
  b.writeUInt32LE(outLen, 4);
  b.writeUInt32LE(additional, 16);
  fileId.copy(b, 24);
  return b;
}

function setInfoBody(fileId: Buffer, type: number, cls: number, additional: number, data: Buffer): Buffer {
  const b = Buffer.alloc(32 + data.length);
  b.writeUInt16LE(33, 0);
  b[2] = type;
  b[3] = cls;
  b.writeUInt32LE(data.length, 4);
  b.writeUInt16LE(64 + 32, 8);
  b.writeUInt32LE(additional, 12);
  fileId.copy(b, 16);
  data.copy(b, 32);
  return b;
}

/** A self-relative descriptor with only a DACL of ACCESS_ALLOWED ACEs. */
function daclOnly(aces: { sid: Buffer; mask: number }[]): Buffer {
  const aceBufs = aces.map(({ sid, mask }) => {
    const a = Buffer.alloc(8 + sid.length);
    a.writeUInt16LE(a.length, 2);
    a.writeUInt32LE(mask, 4);
    sid.copy(a, 8);
    return a;
  });
  const acl = Buffer.alloc(8);
  acl[0] = 2;
  acl.writeUInt16LE(8 + aceBufs.reduce((n, a) => n + a.length, 0), 2);
  acl.writeUInt16LE(aces.length, 4);
  const head = Buffer.alloc(20);
  head[0] = 1;
  head.writeUInt16LE(0x8004, 2);
  head.writeUInt32LE(20, 16);
  return Buffer.concat([head, acl, ...aceBufs]);
}

function sid(authority: number, subs: number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => {
    b.writeUInt32LE(s, 8 + 4 * i);
  });
  return b;
}

describe('SMB file semantics', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  beforeAll(async () => {
    srv = await startTestSmbServer();
    c = await loggedOn(srv.port, [0x0302]);
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('MS-FSCC 2.1.5.1: a name missing as given opens the entry equal to it ignoring case', async () => {
    await writeFile(join(srv.dir, 'foo.txt'), 'lower');
    const o = await c.create('FOO.TXT', { access: 0x1 });
    expect(o.r.status).toBe(S.SUCCESS);
    const r = await c.send(Cmd.READ, readAll(o.fileId));
    expect(r.body.subarray(16, 16 + r.body.readUInt32LE(4)).toString()).toBe('lower');
    await c.close(o.fileId);
    expect((await c.create('nothing-like-it.txt')).r.status).toBe(S.OBJECT_NAME_NOT_FOUND);
  });

  test('MS-FSA 2.1.5.1.2.1: delete-on-close of a read-only file is CANNOT_DELETE, and the file stays', async () => {
    await writeFile(join(srv.dir, 'ro.txt'), 'keep');
    const { chmod } = await import('node:fs/promises');
    await chmod(join(srv.dir, 'ro.txt'), 0o444);
    const o = await c.create('ro.txt', { access: 0x10081, options: 0x1000 });
    expect(o.r.status).toBe(S.CANNOT_DELETE);
    expect(await readFile(join(srv.dir, 'ro.txt'), 'utf8')).toBe('keep');
  });

  test('MS-SMB2 3.3.5.15.6: COPYCHUNK copies between opens named by a resume key; limits come back on INVALID_PARAMETER', async () => {
    const data = Buffer.from(Array.from({ length: 8192 }, (_, i) => i % 251));
    await writeFile(join(srv.dir, 'src.bin'), data);
    const src = await c.create('src.bin', { access: 0x00120089 });
    expect(src.r.status).toBe(S.SUCCESS);
    const dst = await c.create('dst.bin', { access: ALL, disposition: 3 });
    const key = await c.send(Cmd.IOCTL, ioctlBody(FSCTL.RESUME_KEY, src.fileId, Buffer.alloc(0), 32));
    expect(key.status).toBe(S.SUCCESS);
    const resumeKey = ioctlOutput(key.body).subarray(0, 24);
    const copy = await c.send(
      Cmd.IOCTL,
      ioctlBody(
        FSCTL.COPYCHUNK,
        dst.fileId,
        copyChunkInput(resumeKey, [
          [4096, 0, 4096],
          [0, 4096, 4096],
        ]),
        12,
      ),
    );
    expect(copy.status).toBe(S.SUCCESS);
    const counts = ioctlOutput(copy.body);
    expect([counts.readUInt32LE(0), counts.readUInt32LE(8)]).toEqual([2, 8192]);
    const onDisk = await readFile(join(srv.dir, 'dst.bin'));
    expect(onDisk.equals(Buffer.concat([data.subarray(4096), data.subarray(0, 4096)]))).toBe(true);

    const huge = await c.send(
      Cmd.IOCTL,
      ioctlBody(FSCTL.COPYCHUNK, dst.fileId, copyChunkInput(resumeKey, [[0, 0, 2 * 1024 * 1024]]), 12),
    );
    expect(huge.status).toBe(S.INVALID_PARAMETER);
    const limits = ioctlOutput(huge.body);
    expect([limits.readUInt32LE(0), limits.readUInt32LE(4), limits.readUInt32LE(8)]).toEqual([
      256,
      1024 * 1024,
      16 * 1024 * 1024,
    ]);
    const past = await c.send(
      Cmd.IOCTL,
      ioctlBody(FSCTL.COPYCHUNK, dst.fileId, copyChunkInput(resumeKey, [[8000, 0, 4096]]), 12),
    );
    expect(past.status).toBe(S.INVALID_VIEW_SIZE);
    const bogus = await c.send(
      Cmd.IOCTL,
      ioctlBody(FSCTL.COPYCHUNK, dst.fileId, copyChunkInput(Buffer.alloc(24, 7), [[0, 0, 16]]), 12),
    );
    expect(bogus.status).toBe(S.OBJECT_NAME_NOT_FOUND);
    await c.close(src.fileId);
    await c.close(dst.fileId);
  });

  test('MS-DTYP 2.4.6: a DACL set through SET_INFO becomes the mode, and QUERY_INFO shows it back', async () => {
    const o = await c.create('acl.txt', { access: ALL, disposition: 3 });
    expect(o.r.status).toBe(S.SUCCESS);
    const q = await c.send(Cmd.QUERY_INFO, queryInfoBody(o.fileId, 3, 0, 0x1));
    expect(q.status).toBe(S.SUCCESS);
    const owner = q.body.subarray(8 + q.body.subarray(8).readUInt32LE(4));
    const ownerSid = owner.subarray(0, 8 + 4 * owner[1]!);
    // Owner: read and write; Everyone: read; group: nothing.
    const sd = daclOnly([
      { sid: ownerSid, mask: 0x00120089 | 0x00120116 },
      { sid: sid(1, [0]), mask: 0x00120089 },
    ]);
    const s = await c.send(Cmd.SET_INFO, setInfoBody(o.fileId, 3, 0, 0x4, sd));
    expect(s.status).toBe(S.SUCCESS);
    expect((await stat(join(srv.dir, 'acl.txt'))).mode & 0o777).toBe(0o604);
    const back = await c.send(Cmd.QUERY_INFO, queryInfoBody(o.fileId, 3, 0, 0x4));
    const desc = back.body.subarray(8, 8 + back.body.readUInt32LE(4));
    const acl = desc.subarray(desc.readUInt32LE(16));
    const masks = Array.from({ length: acl.readUInt16LE(4) }, (_, i) => acl.readUInt32LE(8 + i * 24 + 4));
    expect(masks[0]! & 0x3).toBe(0x3); // owner keeps read and write data
    expect(masks[1]).toBe(0); // group: nothing
    expect(masks[2]! & 0x3).toBe(0x1); // Everyone: read only
    await c.close(o.fileId);
  });

  test('an FSCTL nobody serves is NOT_SUPPORTED on a disk share', async () => {
    const o = await c.create('acl.txt', { access: 0x80 });
    const r = await c.send(Cmd.IOCTL, ioctlBody(FSCTL.UNKNOWN, o.fileId, Buffer.alloc(0), 0));
    expect(r.status).toBe(0xc00000bb);
    await c.close(o.fileId);
  });
});

function readAll(fileId: Buffer): Buffer {
  const b = Buffer.alloc(49);
  b.writeUInt16LE(49, 0);
  b.writeUInt32LE(4096, 4);
  fileId.copy(b, 16);
  return b;
}
