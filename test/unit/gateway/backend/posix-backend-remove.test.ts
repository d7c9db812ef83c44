import { link, lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectCode, ROOT, useExport } from './fixture';

describe('PosixBackend remove / rmdir / rename', () => {
  const fx = useExport();

  const mkfile = async (dir: bigint, name: string) =>
    (await fx.be.create(dir, name, { mode: 0o644 }, ROOT)).attrs.fileid;
  const mkdirIn = async (dir: bigint, name: string) =>
    (await fx.be.mkdir(dir, name, 0o755, ROOT)).attrs.fileid;

  test('remove of the last link: gone, target nlink 0, dir wcc, and the inode answers ESTALE', async () => {
    const ino = await mkfile(fx.be.rootIno, 'f');
    await fx.be.write(ino, 0, Buffer.from('abc'), 'unstable');
    const r = await fx.be.remove(fx.be.rootIno, 'f');
    expect(r.gone).toBe(true);
    expect(r.target).toMatchObject({ fileid: ino, nlink: 0, size: 3 });
    expect(r.dir.after!.fileid).toBe(fx.be.rootIno);
    await expect(lstat(join(fx.dir, 'f'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectCode(fx.be.getattr(ino), 'ESTALE');
    await expectCode(fx.be.read(ino, 0, 1), 'ESTALE');
    await expectCode(fx.be.setattr(ino, { mode: 0o600 }, ROOT), 'ESTALE');
  });

  test('remove of one of two links: not gone, nlink 1, the other name still resolves', async () => {
    const ino = await mkfile(fx.be.rootIno, 'f');
    await fx.be.link(ino, fx.be.rootIno, 'g');
    const r = await fx.be.remove(fx.be.rootIno, 'f');
    expect(r.gone).toBe(false);
    expect(r.target).toMatchObject({ fileid: ino, nlink: 1 });
    expect((await fx.be.getattr(ino)).nlink).toBe(1);
    await fx.be.write(ino, 0, Buffer.from('still'), 'unstable');
    expect(await readFile(join(fx.dir, 'g'), 'utf8')).toBe('still');
  });

  test('remove of a directory is EISDIR; of a missing name ENOENT; of . or .. EISDIR', async () => {
    await mkdirIn(fx.be.rootIno, 'd');
    await expectCode(fx.be.remove(fx.be.rootIno, 'd'), 'EISDIR');
    await expectCode(fx.be.remove(fx.be.rootIno, 'nope'), 'ENOENT');
    await expectCode(fx.be.remove(fx.be.rootIno, '.'), 'EISDIR');
    await expectCode(fx.be.remove(fx.be.rootIno, '..'), 'EISDIR');
  });

  test('rmdir: gone with nlink 0; ENOTEMPTY, ENOTDIR, ENOENT; . and .. as Linux', async () => {
    const d = await mkdirIn(fx.be.rootIno, 'd');
    await mkfile(d, 'f');
    await expectCode(fx.be.rmdir(fx.be.rootIno, 'd'), 'ENOTEMPTY');
    await fx.be.remove(d, 'f');
    const r = await fx.be.rmdir(fx.be.rootIno, 'd');
    expect(r).toMatchObject({ gone: true, target: { fileid: d, nlink: 0 } });
    expect(r.dir.after!.nlink).toBe(2);
    await expectCode(fx.be.getattr(d), 'ESTALE');
    await mkfile(fx.be.rootIno, 'f');
    await expectCode(fx.be.rmdir(fx.be.rootIno, 'f'), 'ENOTDIR');
    await expectCode(fx.be.rmdir(fx.be.rootIno, 'nope'), 'ENOENT');
    await expectCode(fx.be.rmdir(fx.be.rootIno, '.'), 'EINVAL');
    await expectCode(fx.be.rmdir(fx.be.rootIno, '..'), 'ENOTEMPTY');
  });

  test('rename within a directory: moved attrs, wcc of the directory, old name gone', async () => {
    const ino = await mkfile(fx.be.rootIno, 'a');
    const r = await fx.be.rename(fx.be.rootIno, 'a', fx.be.rootIno, 'b');
    expect(r.moved.fileid).toBe(ino);
    expect(r.replaced).toBeUndefined();
    expect(r.fromDir.after).toEqual(r.toDir.after);
    await expectCode(fx.be.lookup(fx.be.rootIno, 'a'), 'ENOENT');
    expect((await fx.be.lookup(fx.be.rootIno, 'b')).fileid).toBe(ino);
  });

  test('rename over a file reports it replaced and gone, and its inode turns ESTALE', async () => {
    const a = await mkfile(fx.be.rootIno, 'a');
    const b = await mkfile(fx.be.rootIno, 'b');
    const r = await fx.be.rename(fx.be.rootIno, 'a', fx.be.rootIno, 'b');
    expect(r.replaced).toMatchObject({ gone: true, attrs: { fileid: b, nlink: 0 } });
    expect((await fx.be.getattr(a)).fileid).toBe(a);
    await expectCode(fx.be.getattr(b), 'ESTALE');
  });

  test('rename over a file with another link: replaced but not gone', async () => {
    await mkfile(fx.be.rootIno, 'a');
    const b = await mkfile(fx.be.rootIno, 'b');
    await fx.be.link(b, fx.be.rootIno, 'b2');
    const r = await fx.be.rename(fx.be.rootIno, 'a', fx.be.rootIno, 'b');
    expect(r.replaced).toMatchObject({ gone: false, attrs: { fileid: b, nlink: 1 } });
    expect((await fx.be.getattr(b)).nlink).toBe(1);
  });

  test('rename across directories returns both wcc, each of its own directory', async () => {
    const d1 = await mkdirIn(fx.be.rootIno, 'd1');
    const d2 = await mkdirIn(fx.be.rootIno, 'd2');
    await mkfile(d1, 'f');
    const r = await fx.be.rename(d1, 'f', d2, 'g');
    expect(r.fromDir.after!.fileid).toBe(d1);
    expect(r.toDir.after!.fileid).toBe(d2);
    expect(r.fromDir.before).toBeDefined();
  });

  test('renaming a directory carries its descendants: their inodes resolve at the new place', async () => {
    const a = await mkdirIn(fx.be.rootIno, 'a');
    const b = await mkdirIn(a, 'b');
    const f = await mkfile(b, 'f');
    const z = await mkdirIn(fx.be.rootIno, 'z');
    await fx.be.rename(fx.be.rootIno, 'a', z, 'a2');
    await fx.be.write(f, 0, Buffer.from('moved'), 'file-sync');
    expect(await readFile(join(fx.dir, 'z/a2/b/f'), 'utf8')).toBe('moved');
    // and a fresh file in the moved directory lands there too
    await mkfile(b, 'g');
    expect((await lstat(join(fx.dir, 'z/a2/b/g'))).isFile()).toBe(true);
  });

  test('a rename made behind our back is followed: the inode is found again', async () => {
    const a = await mkdirIn(fx.be.rootIno, 'a');
    const f = await mkfile(a, 'f');
    await rename(join(fx.dir, 'a'), join(fx.dir, 'b'));
    expect((await fx.be.getattr(f)).fileid).toBe(f);
    expect((await fx.be.create(a, 'g', { mode: 0o644 }, ROOT)).attrs.nlink).toBe(1);
    expect((await lstat(join(fx.dir, 'b/g'))).isFile()).toBe(true);
  });

  test('rename errors: ENOENT, ENOTEMPTY, EISDIR, ENOTDIR, EINVAL into itself, EBUSY for dots', async () => {
    const d = await mkdirIn(fx.be.rootIno, 'd');
    const e = await mkdirIn(fx.be.rootIno, 'e');
    await mkfile(e, 'x');
    await mkfile(fx.be.rootIno, 'f');
    await expectCode(fx.be.rename(fx.be.rootIno, 'nope', fx.be.rootIno, 'x'), 'ENOENT');
    await expectCode(fx.be.rename(fx.be.rootIno, 'd', fx.be.rootIno, 'e'), 'ENOTEMPTY');
    await expectCode(fx.be.rename(fx.be.rootIno, 'f', fx.be.rootIno, 'd'), 'EISDIR');
    await expectCode(fx.be.rename(fx.be.rootIno, 'd', fx.be.rootIno, 'f'), 'ENOTDIR');
    await expectCode(fx.be.rename(fx.be.rootIno, 'd', d, 'inside'), 'EINVAL');
    await expectCode(fx.be.rename(fx.be.rootIno, '.', fx.be.rootIno, 'x'), 'EBUSY');
    await expectCode(fx.be.rename(fx.be.rootIno, 'f', fx.be.rootIno, '..'), 'EBUSY');
  });

  test('rename onto another name of the same inode does nothing (POSIX)', async () => {
    const f = await mkfile(fx.be.rootIno, 'f');
    await link(join(fx.dir, 'f'), join(fx.dir, 'g'));
    const r = await fx.be.rename(fx.be.rootIno, 'f', fx.be.rootIno, 'g');
    expect(r.replaced).toBeUndefined();
    expect(r.moved).toMatchObject({ fileid: f, nlink: 2 });
    expect((await lstat(join(fx.dir, 'f'))).isFile()).toBe(true);
  });

  test('rename of a directory over an empty directory replaces it (gone)', async () => {
    await mkdirIn(fx.be.rootIno, 'a');
    const b = await mkdirIn(fx.be.rootIno, 'b');
    const r = await fx.be.rename(fx.be.rootIno, 'a', fx.be.rootIno, 'b');
    expect(r.replaced).toMatchObject({ gone: true, attrs: { fileid: b, nlink: 0 } });
    await expectCode(fx.be.lookup(b, '.'), 'ESTALE');
  });

  test('rmdir while a listing of the directory is cached, then a new directory: no stale listing', async () => {
    const d = await mkdirIn(fx.be.rootIno, 'd');
    await mkfile(d, 'x');
    await fx.be.readdir(d, 0n, 10, false);
    await fx.be.remove(d, 'x');
    await fx.be.rmdir(fx.be.rootIno, 'd');
    await mkdir(join(fx.dir, 'd'));
    await writeFile(join(fx.dir, 'd/y'), '');
    const d2 = await fx.be.lookup(fx.be.rootIno, 'd');
    const names = (await fx.be.readdir(d2.fileid, 0n, 10, false)).entries.map((e) => e.name);
    expect(names).toEqual(['.', '..', 'y']);
  });
});
