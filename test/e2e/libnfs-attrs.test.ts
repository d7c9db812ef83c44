import { chmod, lstat, readFile, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultIdentity, startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';

/**
 * GETATTR, SETATTR (mode, owner, size, times), ACCESS, READ, WRITE + COMMIT and FSSTAT driven
 * by libnfs's synchronous API; every answer is checked against lstat/statfs of the export on disk.
 */
describePeer('attributes and I/O through libnfs', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let t: TestHead;
  let nfs: LibnfsTool;
  const me = defaultIdentity();
  const disk = (p: string) => join(t.dir, p);

  beforeAll(async () => {
    t = await startTestHead({ upcall: { 'features.cache-invalidation': true } });
    nfs = libnfsTool(t.url);
  });
  afterAll(() => t?.close());

  test('stat answers what lstat says on disk', async () => {
    await writeFile(disk('s.txt'), 'twelve bytes');
    const [n, d] = [await nfs.stat('/s.txt'), await lstat(disk('s.txt'), { bigint: true })];
    expect(n).toMatchObject({
      size: 12,
      mode: Number(d.mode),
      nlink: 1,
      uid: Number(d.uid),
      gid: Number(d.gid),
    });
    expect(n.ino).toBe(String(d.ino));
    expect(n.mtime).toBe(Number(d.mtimeNs / 1_000_000_000n));
    expect(n.mtimeNsec).toBe(Number(d.mtimeNs % 1_000_000_000n));
  });

  test('a file created through libnfs belongs to the caller as the export maps it', async () => {
    await nfs.creat('/mine', 0o640);
    const d = await stat(disk('mine'));
    expect({ uid: d.uid, gid: d.gid, mode: d.mode & 0o7777 }).toEqual({ ...me, mode: 0o640 });
  });

  test('chmod (SETATTR mode) reaches the disk and the next stat', async () => {
    await nfs.creat('/chmod-me', 0o600);
    await nfs.chmod('/chmod-me', 0o751);
    expect((await stat(disk('chmod-me'))).mode & 0o7777).toBe(0o751);
    expect((await nfs.stat('/chmod-me')).mode & 0o7777).toBe(0o751);
  });

  test('chown to another owner is refused for a non-root caller (NFS3ERR_PERM), nothing changes', async () => {
    await nfs.creat('/chown-me', 0o644);
    await expect(nfs.chown('/chown-me', 4242, 4242)).rejects.toMatchObject({ code: 'EPERM' });
    const d = await stat(disk('chown-me'));
    expect({ uid: d.uid, gid: d.gid }).toEqual(me);
  });

  test('chmod of a file someone else owns is refused (NFS3ERR_PERM)', async () => {
    await writeFile(disk('theirs'), 'x');
    await chmod(disk('theirs'), 0o666);
    await expect(nfs.as({ uid: 4321, gid: 4321 }).chmod('/theirs', 0o777)).rejects.toMatchObject({
      code: 'EPERM',
    });
    expect((await stat(disk('theirs'))).mode & 0o7777).toBe(0o666);
  });

  test('truncate (SETATTR size) shrinks and grows the file on disk', async () => {
    await writeFile(disk('trunc'), 'abcdefghij');
    await chmod(disk('trunc'), 0o666); // anyone may write it: SETATTR size needs write permission
    await nfs.truncate('/trunc', 4);
    expect(await readFile(disk('trunc'), 'utf8')).toBe('abcd');
    await nfs.truncate('/trunc', 6);
    expect(await readFile(disk('trunc'))).toEqual(Buffer.from('abcd\0\0'));
    expect((await nfs.stat('/trunc')).size).toBe(6);
  });

  test('utimes (SETATTR times) sets atime and mtime', async () => {
    await nfs.creat('/times', 0o644);
    await nfs.utimes('/times', 1_000_000_000, 1_234_567_890);
    const d = await stat(disk('times'));
    expect(Math.floor(d.atimeMs / 1000)).toBe(1_000_000_000);
    expect(Math.floor(d.mtimeMs / 1000)).toBe(1_234_567_890);
    expect((await nfs.stat('/times')).mtime).toBe(1_234_567_890);
  });

  test('write + fsync (WRITE, COMMIT) lands at the offset; cat (READ) returns the file', async () => {
    await nfs.creat('/io', 0o644);
    expect(await nfs.write('/io', 0, 'hello world', true)).toBe(11);
    expect(await nfs.write('/io', 6, 'WORLD!', true)).toBe(6);
    expect(await readFile(disk('io'), 'utf8')).toBe('hello WORLD!');
    expect((await nfs.cat('/io')).toString('utf8')).toBe('hello WORLD!');
    expect((await nfs.stat('/io')).size).toBe(12);
  });

  test('access (ACCESS) grants by owner, group and other bits', async () => {
    await nfs.creat('/acc', 0o640);
    expect(await nfs.access('/acc', 'rw')).toBe(6);
    await writeFile(disk('root-only'), 'secret', { mode: 0o600 });
    await expect(nfs.as({ uid: 4321, gid: 4321 }).access('/root-only', 'r')).rejects.toMatchObject({
      code: 'EACCES',
    });
    expect(await nfs.access('/', 'rwx')).toBe(7); // the export root is 0777
  });

  test('statvfs (FSSTAT) reports the export file system', async () => {
    const v = await nfs.statvfs('/');
    const d = await statfs(t.dir);
    expect(v.blocks * v.bsize).toBe(d.blocks * d.bsize);
    expect(v.files).toBe(d.files);
    expect(Math.abs(v.bavail * v.bsize - d.bavail * d.bsize)).toBeLessThan(64 * 1024 * 1024);
    // (f_namemax is libnfs's own constant: it never asks PATHCONF.)
  });

  test('stat of a missing path fails with ENOENT carrying the NFS status', async () => {
    const err = await nfs.stat('/nope').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ENOENT', errno: 2 });
    expect(String((err as Error).message)).toMatch(/NFS3ERR_NOENT/);
  });
});
