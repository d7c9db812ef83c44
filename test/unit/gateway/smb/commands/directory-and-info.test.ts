/**
 * QUERY_DIRECTORY (MS-SMB2 §3.3.5.18), QUERY_INFO (§3.3.5.20) and SET_INFO (§3.3.5.21) against
 * files on disk: information classes, patterns, restart, buffer-size rules.
 */
import { chmod, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import { Cmd, loggedOn, readBody, type Smb2TestClient, writeBody } from '../../../../helpers/smb2-client';

const S = {
  SUCCESS: 0,
  NO_MORE_FILES: 0x80000006,
  NO_SUCH_FILE: 0xc000000f,
  BUFFER_OVERFLOW: 0x80000005,
  INFO_LENGTH_MISMATCH: 0xc0000004,
  INVALID_INFO_CLASS: 0xc0000003,
  BUFFER_TOO_SMALL: 0xc0000023,
  NOT_EMPTY: 0xc0000101,
  COLLISION: 0xc0000035,
};

function queryDirBody(fileId: Buffer, cls: number, pattern: string, flags = 0, outLen = 65536): Buffer {
  const p = Buffer.from(pattern, 'utf16le');
  const b = Buffer.alloc(32 + Math.max(1, p.length));
  b.writeUInt16LE(33, 0);
  b[2] = cls;
  b[3] = flags;
  fileId.copy(b, 8);
  b.writeUInt16LE(64 + 32, 24);
  b.writeUInt16LE(p.length, 26);
  b.writeUInt32LE(outLen, 28);
  p.copy(b, 32);
  return b;
}

function queryInfoBody(fileId: Buffer, type: number, cls: number, outLen = 4096, additional = 0): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt16LE(41, 0);
  b[2] = type;
  b[3] = cls;
  b.writeUInt32LE(outLen, 4);
  b.writeUInt32LE(additional, 16);
  fileId.copy(b, 24);
  return b;
}

function setInfoBody(fileId: Buffer, cls: number, data: Buffer): Buffer {
  const b = Buffer.alloc(32 + data.length);
  b.writeUInt16LE(33, 0);
  b[2] = 1;
  b[3] = cls;
  b.writeUInt32LE(data.length, 4);
  b.writeUInt16LE(64 + 32, 8);
  fileId.copy(b, 16);
  data.copy(b, 32);
  return b;
}

/** Names in a QUERY_DIRECTORY reply of class 37 (FileIdBothDirectoryInformation). */
function names37(body: Buffer): string[] {
  const out: string[] = [];
  let at = 8;
  for (;;) {
    const next = body.readUInt32LE(at);
    const len = body.readUInt32LE(at + 60);
    out.push(body.toString('utf16le', at + 104, at + 104 + len));
    if (!next) return out;
    at += next;
  }
}

describe('directories and information classes', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  let dir: Buffer;
  beforeAll(async () => {
    srv = await startTestSmbServer();
    await mkdir(join(srv.dir, 'd'));
    await chmod(join(srv.dir, 'd'), 0o777);
    for (const n of ['a.txt', 'b.txt', 'c.md', 'Mixed.TXT']) {
      await writeFile(join(srv.dir, 'd', n), n);
      await chmod(join(srv.dir, 'd', n), 0o666);
    }
    c = await loggedOn(srv.port, [0x0311]);
    dir = (await c.create('d', { access: 0x81, options: 1 })).fileId;
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('class 37 with *: every entry, then NO_MORE_FILES; RESTART_SCANS starts over', async () => {
    const r = await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, '*'));
    expect(r.status).toBe(S.SUCCESS);
    expect(names37(r.body).sort()).toEqual(['.', '..', 'Mixed.TXT', 'a.txt', 'b.txt', 'c.md']);
    expect((await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, '*'))).status).toBe(S.NO_MORE_FILES);
    const again = await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, '*.txt', 0x01));
    expect(names37(again.body).sort()).toEqual(['Mixed.TXT', 'a.txt', 'b.txt']);
  });

  test('RETURN_SINGLE_ENTRY hands out one at a time; a pattern that matches nothing is NO_SUCH_FILE', async () => {
    const one = await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, 'c.*', 0x01 | 0x02));
    expect(names37(one.body)).toEqual(['c.md']);
    expect((await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, 'zzz*', 0x10))).status).toBe(
      S.NO_SUCH_FILE,
    );
    expect((await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, 'MIXED.txt', 0x10))).status).toBe(
      S.SUCCESS,
    );
  });

  test.each([1, 2, 3, 12, 37, 38])(
    'class %i lists every entry with its name at the right place',
    async (cls) => {
      const r = await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, cls, 'b.txt', 0x10));
      expect(r.status).toBe(S.SUCCESS);
      const nameAt = { 1: 64, 2: 68, 3: 94, 12: 12, 37: 104, 38: 80 }[cls]!;
      const lenAt = cls === 12 ? 8 : 60;
      const len = r.body.readUInt32LE(8 + lenAt);
      expect(r.body.toString('utf16le', 8 + nameAt, 8 + nameAt + len)).toBe('b.txt');
    },
  );

  test('an unknown class is STATUS_INVALID_INFO_CLASS; a buffer too small for one entry INFO_LENGTH_MISMATCH', async () => {
    expect((await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 99, '*', 0x10))).status).toBe(
      S.INVALID_INFO_CLASS,
    );
    expect((await c.send(Cmd.QUERY_DIRECTORY, queryDirBody(dir, 37, '*', 0x10, 50))).status).toBe(
      S.INFO_LENGTH_MISMATCH,
    );
  });

  test('QUERY_INFO file classes 4, 5, 18, 21, 22, 34, 48 and FS classes 1, 3, 5, 6, 7', async () => {
    const f = await c.create('d\\a.txt');
    for (const cls of [4, 5, 18, 21, 22, 34, 6, 7, 35, 48])
      expect([cls, (await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, cls))).status]).toEqual([cls, 0]);
    const std = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, 5));
    expect(std.body.readBigUInt64LE(8 + 8)).toBe(5n); // EndOfFile
    const all = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, 18));
    const nameLen = all.body.readUInt32LE(8 + 96);
    expect(all.body.toString('utf16le', 8 + 100, 8 + 100 + nameLen)).toBe('\\d\\a.txt');
    for (const cls of [1, 3, 4, 5, 6, 7, 8, 11])
      expect([cls, (await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 2, cls))).status]).toEqual([cls, 0]);
    const attr = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 2, 5));
    expect(attr.body.toString('utf16le', 8 + 12)).toBe('NTFS');
    await c.close(f.fileId);
  });

  test('buffer rules: fixed part too big → INFO_LENGTH_MISMATCH; name cut → BUFFER_OVERFLOW with what fits', async () => {
    const f = await c.create('d\\a.txt');
    expect((await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, 4, 39))).status).toBe(
      S.INFO_LENGTH_MISMATCH,
    );
    const cut = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, 18, 104));
    expect(cut.status).toBe(S.BUFFER_OVERFLOW);
    expect(cut.body.readUInt32LE(4)).toBe(104);
    expect((await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 1, 200))).status).toBe(S.INVALID_INFO_CLASS);
    await c.close(f.fileId);
  });

  test('security descriptor: owner, group, DACL as asked; too small a buffer says how much it needs', async () => {
    const f = await c.create('d\\a.txt', { access: 0x20080 });
    const sd = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 3, 0, 4096, 0x7));
    expect(sd.status).toBe(S.SUCCESS);
    const size = sd.body.readUInt32LE(4);
    const small = await c.send(Cmd.QUERY_INFO, queryInfoBody(f.fileId, 3, 0, 8, 0x7));
    expect(small.status).toBe(S.BUFFER_TOO_SMALL);
    expect(small.body.readUInt32LE(4)).toBe(4); // ByteCount
    expect(small.body.readUInt32LE(8)).toBe(size);
    await c.close(f.fileId);
  });

  test('SET_INFO: end of file, basic times, rename (refusing to clobber), disposition of a non-empty dir', async () => {
    const f = await c.create('d\\set.txt', { disposition: 5, access: 0x0012019f | 0x10000 });
    const eof = Buffer.alloc(8);
    eof.writeBigUInt64LE(1000n, 0);
    expect((await c.send(Cmd.SET_INFO, setInfoBody(f.fileId, 20, eof))).status).toBe(S.SUCCESS);
    expect((await stat(join(srv.dir, 'd', 'set.txt'))).size).toBe(1000);

    const basic = Buffer.alloc(40);
    basic.writeBigUInt64LE(116444736000000000n + 1_000_000_000n * 10_000_000n, 16); // mtime 2001-09-09
    expect((await c.send(Cmd.SET_INFO, setInfoBody(f.fileId, 4, basic))).status).toBe(S.SUCCESS);
    expect((await stat(join(srv.dir, 'd', 'set.txt'))).mtimeMs).toBe(1_000_000_000_000);

    const to = (name: string, replace = 0) => {
      const n = Buffer.from(name, 'utf16le');
      const b = Buffer.alloc(20 + n.length);
      b[0] = replace;
      b.writeUInt32LE(n.length, 16);
      n.copy(b, 20);
      return b;
    };
    expect((await c.send(Cmd.SET_INFO, setInfoBody(f.fileId, 10, to('d\\a.txt')))).status).toBe(S.COLLISION);
    expect((await c.send(Cmd.SET_INFO, setInfoBody(f.fileId, 10, to('moved.txt')))).status).toBe(S.SUCCESS);
    expect((await stat(join(srv.dir, 'moved.txt'))).size).toBe(1000);
    await c.close(f.fileId);

    const d = await c.create('d', { access: 0x10081, options: 1 });
    expect((await c.send(Cmd.SET_INFO, setInfoBody(d.fileId, 13, Buffer.of(1)))).status).toBe(S.NOT_EMPTY);
    await c.close(d.fileId);
  });

  test('READ and WRITE at offsets; reading at end of file is STATUS_END_OF_FILE', async () => {
    await utimes(join(srv.dir, 'd', 'b.txt'), 1, 1);
    const f = await c.create('d\\b.txt', { access: 0x3 });
    expect((await c.send(Cmd.WRITE, writeBody(f.fileId, Buffer.from('XY'), 1n))).status).toBe(S.SUCCESS);
    const r = await c.send(Cmd.READ, readBody(f.fileId, 100));
    expect(r.body.subarray(16, 16 + r.body.readUInt32LE(4)).toString()).toBe('bXYxt');
    expect((await c.send(Cmd.READ, readBody(f.fileId, 10, 5n))).status).toBe(0xc0000011);
    // FilePositionInformation follows the last READ (5 bytes from 0), as Windows keeps it.
    const pos = Buffer.alloc(40);
    pos.writeUInt16LE(41, 0);
    pos[2] = 1;
    pos[3] = 14;
    pos.writeUInt32LE(8, 4);
    f.fileId.copy(pos, 24);
    expect((await c.send(Cmd.QUERY_INFO, pos)).body.readBigUInt64LE(8)).toBe(5n);
    await c.close(f.fileId);
    expect(await readFile(join(srv.dir, 'd', 'b.txt'), 'utf8')).toBe('bXYxt');
  });
});
