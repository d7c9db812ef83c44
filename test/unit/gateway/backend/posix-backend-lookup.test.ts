import { execFileSync } from 'node:child_process';
import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../gateway/backend/attrs';
import { PosixBackend } from '../../../../gateway/backend/posix-backend';
import { expectCode, useExport } from './fixture';

describe('PosixBackend lookup / getattr / statfs', () => {
  const fx = useExport();

  test('getattr fills every field from lstat (fileid = ino, fsid = dev)', async () => {
    await writeFile(join(fx.dir, 'f'), 'x'.repeat(10_000));
    const st = await lstat(join(fx.dir, 'f'), { bigint: true });
    const a = await fx.be.lookup(fx.be.rootIno, 'f');
    expect(a).toEqual({
      type: FileType.REG,
      mode: Number(st.mode & 0o7777n),
      nlink: 1,
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: 10_000,
      used: Number(st.blocks) * 512,
      rdev: { major: 0, minor: 0 },
      fsid: st.dev,
      fileid: st.ino,
      atime: { sec: Number(st.atimeNs / 10n ** 9n), nsec: Number(st.atimeNs % 10n ** 9n) },
      mtime: { sec: Number(st.mtimeNs / 10n ** 9n), nsec: Number(st.mtimeNs % 10n ** 9n) },
      ctime: { sec: Number(st.ctimeNs / 10n ** 9n), nsec: Number(st.ctimeNs % 10n ** 9n) },
      birthtime: { sec: Number(st.birthtimeNs / 10n ** 9n), nsec: Number(st.birthtimeNs % 10n ** 9n) },
    });
    expect(a.used).toBeGreaterThanOrEqual(10_000);
    expect(await fx.be.getattr(a.fileid)).toEqual(a);
  });

  test('the mode carries permission bits only, set-ID and sticky included', async () => {
    await mkdir(join(fx.dir, 'd'), { mode: 0o755 });
    execFileSync('chmod', ['3775', join(fx.dir, 'd')]);
    const a = await fx.be.lookup(fx.be.rootIno, 'd');
    expect(a.type).toBe(FileType.DIR);
    expect(a.mode).toBe(0o3775);
  });

  test('device numbers come apart into major and minor (Linux encoding)', async () => {
    execFileSync('mknod', [join(fx.dir, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [join(fx.dir, 'big'), 'b', '259', '300000']);
    expect(await fx.be.lookup(fx.be.rootIno, 'null')).toMatchObject({
      type: FileType.CHR,
      rdev: { major: 1, minor: 3 },
    });
    expect(await fx.be.lookup(fx.be.rootIno, 'big')).toMatchObject({
      type: FileType.BLK,
      rdev: { major: 259, minor: 300000 },
    });
    execFileSync('mkfifo', [join(fx.dir, 'p')]);
    expect((await fx.be.lookup(fx.be.rootIno, 'p')).type).toBe(FileType.FIFO);
  });

  test('lookup returns a symlink itself, never its target', async () => {
    await symlink('/etc', join(fx.dir, 'l'));
    const l = await fx.be.lookup(fx.be.rootIno, 'l');
    expect(l.type).toBe(FileType.LNK);
    expect(l.size).toBe(4);
    expect(l.fileid).toBe((await lstat(join(fx.dir, 'l'), { bigint: true })).ino);
  });

  test("'.' is the directory and '..' its parent; the root's '..' is the root", async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    const a = await fx.be.lookup(fx.be.rootIno, 'a');
    const b = await fx.be.lookup(a.fileid, 'b');
    expect((await fx.be.lookup(b.fileid, '.')).fileid).toBe(b.fileid);
    expect((await fx.be.lookup(b.fileid, '..')).fileid).toBe(a.fileid);
    expect((await fx.be.lookup(a.fileid, '..')).fileid).toBe(fx.be.rootIno);
    expect((await fx.be.lookup(fx.be.rootIno, '..')).fileid).toBe(fx.be.rootIno);
  });

  test('ENOENT for a missing name, ENOTDIR inside a file, EACCES for a path, ENAMETOOLONG', async () => {
    await writeFile(join(fx.dir, 'f'), '');
    await expectCode(fx.be.lookup(fx.be.rootIno, 'nope'), 'ENOENT');
    const f = await fx.be.lookup(fx.be.rootIno, 'f');
    await expectCode(fx.be.lookup(f.fileid, 'x'), 'ENOTDIR');
    await expectCode(fx.be.lookup(fx.be.rootIno, 'a/f'), 'EACCES');
    await expectCode(fx.be.lookup(fx.be.rootIno, 'x'.repeat(256)), 'ENAMETOOLONG');
  });

  test('getattr of an inode the backend never saw is still found (by a scan)', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    await writeFile(join(fx.dir, 'a/b/f'), 'hi');
    const ino = (await lstat(join(fx.dir, 'a/b/f'), { bigint: true })).ino;
    expect((await fx.be.getattr(ino)).size).toBe(2);
  });

  test('getattr of an inode that is not in the export is ESTALE', async () => {
    await writeFile(join(fx.outside, 'secret'), 's');
    const ino = (await lstat(join(fx.outside, 'secret'), { bigint: true })).ino;
    await expectCode(fx.be.getattr(ino), 'ESTALE');
  });

  test('statfs reports the file system the export lives on', async () => {
    const s = await fx.be.statfs(fx.be.rootIno);
    expect(s.totalBytes).toBeGreaterThan(0);
    expect(s.availBytes).toBeLessThanOrEqual(s.freeBytes);
    expect(s.freeBytes).toBeLessThanOrEqual(s.totalBytes);
    expect(s.totalFiles).toBeGreaterThan(0);
    expect(s.freeFiles).toBeLessThanOrEqual(s.totalFiles);
  });

  test('opening a missing export root is ENOENT; a file as root is ENOTDIR', async () => {
    await expectCode(PosixBackend.open(join(fx.dir, 'missing')), 'ENOENT');
    await writeFile(join(fx.dir, 'file'), '');
    await expectCode(PosixBackend.open(join(fx.dir, 'file')), 'ENOTDIR');
  });
});
