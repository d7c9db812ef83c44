import { lstat, mkdir, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultIdentity, startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';

/**
 * CREATE, MKDIR, RMDIR, REMOVE, RENAME, LINK, SYMLINK, READLINK and MKNOD driven by libnfs's
 * synchronous API; every result is checked on the export directory with lstat/readdir.
 */
describePeer('names through libnfs', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let t: TestHead;
  let nfs: LibnfsTool;
  const me = defaultIdentity();
  const disk = (p: string) => join(t.dir, p);
  const exists = (p: string) =>
    lstat(disk(p)).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    t = await startTestHead({ upcall: { 'features.cache-invalidation': true } });
    nfs = libnfsTool(t.url);
  });
  afterAll(() => t?.close());

  test('mkdir (MKDIR) makes a directory with the exact mode, owned by the caller', async () => {
    await nfs.mkdir('/d1', 0o750);
    const d = await stat(disk('d1'));
    expect(d.isDirectory()).toBe(true);
    expect({ mode: d.mode & 0o7777, uid: d.uid, gid: d.gid }).toEqual({ mode: 0o750, ...me });
    await expect(nfs.mkdir('/d1', 0o750)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  test('rmdir (RMDIR) removes an empty directory; refuses a full one and a file', async () => {
    await nfs.mkdir('/d2');
    await nfs.creat('/d2/f');
    await expect(nfs.rmdir('/d2')).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    await expect(nfs.rmdir('/d2/f')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await nfs.unlink('/d2/f');
    await nfs.rmdir('/d2');
    expect(await exists('d2')).toBe(false);
  });

  test('unlink (REMOVE) removes a file; a missing name is ENOENT, a directory is refused', async () => {
    await nfs.creat('/gone', 0o600);
    await nfs.unlink('/gone');
    expect(await exists('gone')).toBe(false);
    await expect(nfs.unlink('/gone')).rejects.toMatchObject({ code: 'ENOENT' });
    await nfs.mkdir('/still-here');
    await expect(nfs.unlink('/still-here')).rejects.toMatchObject({ code: 'EISDIR' });
    expect((await stat(disk('still-here'))).isDirectory()).toBe(true);
  });

  test('rename (RENAME) within a directory, across directories, and over an existing file', async () => {
    await nfs.mkdir('/r');
    await nfs.creat('/r/a', 0o644);
    await nfs.write('/r/a', 0, 'AAA');
    const ino = (await stat(disk('r/a'))).ino;
    await nfs.rename('/r/a', '/r/b');
    expect((await readdir(disk('r'))).sort()).toEqual(['b']);
    await nfs.rename('/r/b', '/moved');
    expect(await exists('r/b')).toBe(false);
    expect((await stat(disk('moved'))).ino).toBe(ino);
    await nfs.creat('/victim', 0o644);
    await nfs.rename('/moved', '/victim');
    expect((await stat(disk('victim'))).ino).toBe(ino);
    expect(await exists('moved')).toBe(false);
    expect((await nfs.cat('/victim')).toString()).toBe('AAA');
  });

  test('link (LINK) adds a second name for the same inode', async () => {
    await nfs.creat('/orig', 0o644);
    await nfs.link('/orig', '/alias');
    const [a, b] = [await stat(disk('orig')), await stat(disk('alias'))];
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    expect((await nfs.stat('/alias')).nlink).toBe(2);
    await nfs.unlink('/orig');
    expect((await nfs.stat('/alias')).nlink).toBe(1);
  });

  test('symlink (SYMLINK) and readlink (READLINK) keep the target text as given', async () => {
    await nfs.symlink('some/where/else', '/ln');
    expect(await readlink(disk('ln'))).toBe('some/where/else');
    expect((await lstat(disk('ln'))).isSymbolicLink()).toBe(true);
    expect(await nfs.readlink('/ln')).toBe('some/where/else');
    expect((await nfs.lstat('/ln')).mode & 0o170000).toBe(0o120000);
  });

  test('mknod (MKNOD) makes a FIFO with the mode asked; a device needs root (NFS3ERR_PERM)', async () => {
    await nfs.mknod('/fifo', 0o010640);
    const d = await lstat(disk('fifo'));
    expect(d.isFIFO()).toBe(true);
    expect({ mode: d.mode & 0o7777, uid: d.uid }).toEqual({ mode: 0o640, uid: me.uid });
    await expect(nfs.mknod('/null', 0o020666, 1, 3)).rejects.toMatchObject({ code: 'EPERM' });
    expect(await exists('null')).toBe(false);
  });

  test('creat (CREATE) in a missing directory fails with ENOENT, leaving nothing behind', async () => {
    await expect(nfs.creat('/no-dir/f')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await exists('no-dir')).toBe(false);
  });

  test('names made on disk are found by LOOKUP at once, nested', async () => {
    await mkdir(disk('a/b/c'), { recursive: true });
    await writeFile(disk('a/b/c/deep.txt'), 'deep');
    expect((await nfs.cat('/a/b/c/deep.txt')).toString()).toBe('deep');
    expect((await nfs.ls('/a/b')).map((e) => e.name).sort()).toEqual(['.', '..', 'c']);
  });
});
