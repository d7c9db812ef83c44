import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../gateway/backend/attrs';
import { expectCode, ROOT, useExport } from './fixture';

/** Every test runs with the /proc descriptor anchors and with the identity-checked path fallback. */
describe.each([
  ['through /proc/<pid>/fd anchors', false],
  ['through identity-checked paths (no /proc)', true],
])('confinement %s', (_title, withoutProcFd) => {
  const fx = useExport({ withoutProcFd });
  /** A name in /etc that no test may ever create. */
  const probe = `upcall-escape-${randomBytes(6).toString('hex')}`;

  afterEach(async () => {
    const leaked = await lstat(join('/etc', probe)).catch(() => undefined);
    await rm(join('/etc', probe), { force: true, recursive: true });
    expect(leaked).toBeUndefined();
  });

  async function etcLink(): Promise<bigint> {
    await symlink('/etc', join(fx.dir, 'etc'));
    return (await fx.be.lookup(fx.be.rootIno, 'etc')).fileid;
  }

  test('a symlink to /etc is a symlink: lookup through it is ENOTDIR, not /etc/passwd', async () => {
    const l = await etcLink();
    expect((await fx.be.getattr(l)).type).toBe(FileType.LNK);
    await expectCode(fx.be.lookup(l, 'passwd'), 'ENOTDIR');
    await expectCode(fx.be.readdir(l, 0n, 10, false), 'ENOTDIR');
  });

  test('read, write and truncate through a symlink to a file outside are refused; the file is untouched', async () => {
    await writeFile(join(fx.outside, 'secret'), 'secret');
    await symlink(join(fx.outside, 'secret'), join(fx.dir, 's'));
    const s = (await fx.be.lookup(fx.be.rootIno, 's')).fileid;
    await expectCode(fx.be.read(s, 0, 100), 'EINVAL');
    await expectCode(fx.be.write(s, 0, Buffer.from('pwned'), 'file-sync'), 'EINVAL');
    await expectCode(fx.be.setattr(s, { size: 0 }, ROOT), 'EINVAL');
    expect(await readFile(join(fx.outside, 'secret'), 'utf8')).toBe('secret');
    expect((await fx.be.readlink(s)).target).toBe(join(fx.outside, 'secret'));
  });

  test('chmod, chown and utimes of a symlink to /etc never reach /etc', async () => {
    const before = await stat('/etc', { bigint: true });
    const l = await etcLink();
    await fx.be.setattr(l, { mode: 0o777, uid: 4242, gid: 4242, mtime: { sec: 1, nsec: 0 } }, ROOT);
    const after = await stat('/etc', { bigint: true });
    expect([after.mode, after.uid, after.gid, after.mtimeNs]).toEqual([
      before.mode,
      before.uid,
      before.gid,
      before.mtimeNs,
    ]);
    expect((await lstat(join(fx.dir, 'etc'))).uid).toBe(4242);
  });

  test('create, mkdir, symlink, mknod, link and rename into a symlink to /etc are ENOTDIR', async () => {
    const l = await etcLink();
    const f = (await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT)).attrs.fileid;
    await expectCode(fx.be.create(l, probe, { mode: 0o644 }, ROOT), 'ENOTDIR');
    await expectCode(fx.be.mkdir(l, probe, 0o755, ROOT), 'ENOTDIR');
    await expectCode(fx.be.symlink(l, probe, 'x', 0o777, ROOT), 'ENOTDIR');
    await expectCode(fx.be.mknod(l, probe, 'fifo', 0o644, { major: 0, minor: 0 }, ROOT), 'ENOTDIR');
    await expectCode(fx.be.link(f, l, probe), 'ENOTDIR');
    await expectCode(fx.be.rename(fx.be.rootIno, 'f', l, probe), 'ENOTDIR');
    await expectCode(fx.be.remove(l, 'hostname'), 'ENOTDIR');
  });

  test("'..' never climbs above the export root, and a name cannot carry a path", async () => {
    let ino = fx.be.rootIno;
    for (let i = 0; i < 5; i++) ino = (await fx.be.lookup(ino, '..')).fileid;
    expect(ino).toBe(fx.be.rootIno);
    await expectCode(fx.be.lookup(fx.be.rootIno, '../outside'), 'EACCES');
    await expectCode(fx.be.create(fx.be.rootIno, `../${probe}`, { mode: 0o644 }, ROOT), 'EACCES');
    await expectCode(fx.be.lookup(fx.be.rootIno, '/etc'), 'EACCES');
    const root = (await fx.be.readdir(fx.be.rootIno, 0n, 10, false)).entries[1]!;
    expect([root.name, root.fileid]).toEqual(['..', fx.be.rootIno]);
  });

  test('a directory swapped for a symlink to the outside after lookup: calls follow the real directory', async () => {
    await mkdir(join(fx.dir, 'd'));
    await writeFile(join(fx.dir, 'd/f'), 'inside');
    await writeFile(join(fx.outside, 'f'), 'outside');
    const d = (await fx.be.lookup(fx.be.rootIno, 'd')).fileid;
    const f = (await fx.be.lookup(d, 'f')).fileid;
    const handles = { d: fx.be.handleOf(d), f: fx.be.handleOf(f) };
    // Behind the backend: the real directory moves away and a symlink takes its name.
    await rename(join(fx.dir, 'd'), join(fx.dir, 'real'));
    await symlink(fx.outside, join(fx.dir, 'd'));
    expect((await fx.be.read(f, 0, 100)).data.toString()).toBe('inside');
    await fx.be.write(f, 0, Buffer.from('INSIDE'), 'unstable');
    await fx.be.create(d, 'made-by-a', { mode: 0o644 }, ROOT);
    // A fresh instance (no table, no descriptors) given the handles minted before the swap.
    const fresh = await fx.open({ withoutProcFd });
    expect(await fresh.resolveHandle(handles.f)).toBe(f);
    expect(await fresh.resolveHandle(handles.d)).toBe(d);
    expect((await fresh.read(f, 0, 100)).data.toString()).toBe('INSIDE');
    await fresh.create(d, 'made-by-b', { mode: 0o644 }, ROOT);
    expect((await lstat(join(fx.dir, 'real/made-by-b'))).isFile()).toBe(true);
    expect(await readFile(join(fx.outside, 'f'), 'utf8')).toBe('outside');
    expect(await readFile(join(fx.dir, 'real/f'), 'utf8')).toBe('INSIDE');
    expect((await lstat(join(fx.dir, 'real/made-by-a'))).isFile()).toBe(true);
    await expect(lstat(join(fx.outside, 'made-by-a'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('an inode found only outside the export is never served, even if a symlink inside points at it', async () => {
    await writeFile(join(fx.outside, 'secret'), 'secret');
    await symlink(fx.outside, join(fx.dir, 'out'));
    const secretIno = (await lstat(join(fx.outside, 'secret'), { bigint: true })).ino;
    await expectCode(fx.be.getattr(secretIno), 'ESTALE');
    await expectCode(fx.be.read(secretIno, 0, 10), 'ESTALE');
  });
});
