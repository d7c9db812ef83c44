import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countCalls, expectCode, ROOT, useExport } from './fixture';

describe('PosixBackend read / write / fsync', () => {
  const fx = useExport({ maxIoBytes: 64 * 1024 });

  async function file(name: string, content: string | Buffer): Promise<bigint> {
    await writeFile(join(fx.dir, name), content);
    return (await fx.be.lookup(fx.be.rootIno, name)).fileid;
  }

  test('read returns the bytes asked for, and eof only when the end was reached', async () => {
    const ino = await file('f', '0123456789');
    expect(await fx.be.read(ino, 0, 4)).toMatchObject({ data: Buffer.from('0123'), eof: false });
    expect(await fx.be.read(ino, 6, 4)).toMatchObject({ data: Buffer.from('6789'), eof: true });
    expect(await fx.be.read(ino, 8, 100)).toMatchObject({ data: Buffer.from('89'), eof: true });
    expect(await fx.be.read(ino, 100, 10)).toMatchObject({ data: Buffer.alloc(0), eof: true });
    expect(await fx.be.read(ino, 3, 0)).toMatchObject({ data: Buffer.alloc(0), eof: false });
    expect((await fx.be.read(ino, 0, 1)).attrs.size).toBe(10);
  });

  test('a read larger than maxIoBytes is shortened, not refused, and is not eof', async () => {
    const ino = await file('big', Buffer.alloc(100 * 1024, 7));
    const r = await fx.be.read(ino, 0, 100 * 1024);
    expect(r.data.length).toBe(64 * 1024);
    expect(r.eof).toBe(false);
  });

  test('many small reads of one file open it once (descriptor cache)', async () => {
    const ino = await file('f', Buffer.alloc(64 * 1024, 1));
    const { calls } = await countCalls('open', async () => {
      for (let off = 0; off < 64 * 1024; off += 4096) await fx.be.read(ino, off, 4096);
    });
    expect(calls).toBe(1);
  });

  test('the descriptor cache stays within maxOpenFiles', async () => {
    const be = await fx.open({ maxOpenFiles: 3 });
    for (let i = 0; i < 10; i++) {
      await writeFile(join(fx.dir, `f${i}`), 'x');
      const a = await be.lookup(be.rootIno, `f${i}`);
      await be.read(a.fileid, 0, 1);
      expect(be.openDescriptors).toBeLessThanOrEqual(3);
    }
  });

  test('write stores the data and returns wcc: pre-op size/times, post-op attributes', async () => {
    const ino = await file('f', 'hello');
    const before = await stat(join(fx.dir, 'f'), { bigint: true });
    await new Promise((r) => setTimeout(r, 10));
    const w = await fx.be.write(ino, 5, Buffer.from(' world'), 'unstable');
    expect(w.count).toBe(6);
    expect(w.committed).toBe('unstable');
    expect(w.wcc.before).toEqual({
      size: 5,
      mtime: { sec: Number(before.mtimeNs / 10n ** 9n), nsec: Number(before.mtimeNs % 10n ** 9n) },
      ctime: { sec: Number(before.ctimeNs / 10n ** 9n), nsec: Number(before.ctimeNs % 10n ** 9n) },
    });
    const after = await stat(join(fx.dir, 'f'), { bigint: true });
    expect(w.wcc.after).toMatchObject({ size: 11, fileid: ino });
    expect(w.wcc.after!.mtime.sec * 1e9 + w.wcc.after!.mtime.nsec).toBe(Number(after.mtimeNs));
    expect(after.mtimeNs).toBeGreaterThan(before.mtimeNs);
    expect(await readFile(join(fx.dir, 'f'), 'utf8')).toBe('hello world');
  });

  test('a write past the end leaves a hole of zeros', async () => {
    const ino = await file('f', 'ab');
    await fx.be.write(ino, 10, Buffer.from('z'), 'unstable');
    expect(await readFile(join(fx.dir, 'f'))).toEqual(Buffer.from('ab\0\0\0\0\0\0\0\0z'));
  });

  test.each([
    ['file-sync', 'sync', 1, 0],
    ['data-sync', 'datasync', 0, 1],
    ['unstable', 'none', 0, 0],
  ] as const)('stability %s calls %s', async (stable, _what, syncs, datasyncs) => {
    const ino = await file('f', '');
    // Reach FileHandle.prototype through a real handle (the class is not exported by Node).
    const probe = await open(join(fx.dir, 'f'));
    const proto = Object.getPrototypeOf(probe);
    await probe.close();
    const sync = jest.spyOn(proto, 'sync');
    const datasync = jest.spyOn(proto, 'datasync');
    try {
      const w = await fx.be.write(ino, 0, Buffer.from('x'), stable);
      expect(w.committed).toBe(stable);
      expect(sync).toHaveBeenCalledTimes(syncs);
      expect(datasync).toHaveBeenCalledTimes(datasyncs);
    } finally {
      sync.mockRestore();
      datasync.mockRestore();
    }
  });

  test('fsync (COMMIT) flushes the file and returns its attributes', async () => {
    const ino = await file('f', 'abc');
    const probe = await open(join(fx.dir, 'f'));
    const sync = jest.spyOn(Object.getPrototypeOf(probe), 'sync');
    await probe.close();
    try {
      expect((await fx.be.fsync(ino)).size).toBe(3);
      expect((await fx.be.fsync(fx.be.rootIno)).fileid).toBe(fx.be.rootIno);
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      sync.mockRestore();
    }
  });

  test('read or write of a directory is EISDIR; of a symlink or FIFO, EINVAL', async () => {
    await expectCode(fx.be.read(fx.be.rootIno, 0, 1), 'EISDIR');
    await expectCode(fx.be.write(fx.be.rootIno, 0, Buffer.from('x'), 'unstable'), 'EISDIR');
    const l = await fx.be.symlink(fx.be.rootIno, 'l', 'target', 0o777, ROOT);
    await expectCode(fx.be.read(l.attrs.fileid, 0, 1), 'EINVAL');
    await expectCode(fx.be.write(l.attrs.fileid, 0, Buffer.from('x'), 'unstable'), 'EINVAL');
    const p = await fx.be.mknod(fx.be.rootIno, 'p', 'fifo', 0o644, { major: 0, minor: 0 }, ROOT);
    await expectCode(fx.be.read(p.attrs.fileid, 0, 1), 'EINVAL');
  });

  test('negative or fractional offsets are EINVAL', async () => {
    const ino = await file('f', 'abc');
    await expectCode(fx.be.read(ino, -1, 1), 'EINVAL');
    await expectCode(fx.be.write(ino, 0.5, Buffer.from('x'), 'unstable'), 'EINVAL');
  });

  test('a file deleted behind our back while its descriptor is cached is ESTALE, not served', async () => {
    const ino = await file('f', 'abc');
    await fx.be.read(ino, 0, 1);
    await rm(join(fx.dir, 'f'));
    await expectCode(fx.be.read(ino, 0, 1), 'ESTALE');
    await expectCode(fx.be.write(ino, 0, Buffer.from('x'), 'unstable'), 'ESTALE');
    await expectCode(fx.be.getattr(ino), 'ESTALE');
  });

  test('parallel calls through a 2-descriptor cache: evictions never close a descriptor in use', async () => {
    const be = await fx.open({ maxOpenFiles: 2 });
    const n = 40;
    const made = await Promise.all(
      Array.from({ length: n }, (_, i) => be.create(be.rootIno, `p${i}`, { mode: 0o644 }, ROOT)),
    );
    await Promise.all(
      made.map((m, i) => be.write(m.attrs.fileid, 0, Buffer.from(`content-${i}`.repeat(100)), 'unstable')),
    );
    const reads = await Promise.all(made.map((m) => be.read(m.attrs.fileid, 0, 100_000)));
    reads.forEach((r, i) => {
      expect(r.data.toString()).toBe(`content-${i}`.repeat(100));
    });
    expect(be.openDescriptors).toBeLessThanOrEqual(2);
  });
});
