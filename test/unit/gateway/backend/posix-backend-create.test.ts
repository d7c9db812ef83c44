import { chmod, lstat, mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../gateway/backend/attrs';
import { ALICE, expectCode, ROOT, useExport } from './fixture';

const ns = (t: { sec: number; nsec: number }) => BigInt(t.sec) * 10n ** 9n + BigInt(t.nsec);

describe('PosixBackend create / mkdir / symlink / mknod / link', () => {
  const fx = useExport();

  test('create makes a file owned by the caller with exactly the asked mode (no umask)', async () => {
    const old = process.umask(0o077);
    try {
      const r = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o664 }, ALICE);
      const st = await lstat(join(fx.dir, 'f'));
      expect(st.uid).toBe(ALICE.uid);
      expect(st.gid).toBe(ALICE.gid);
      expect(st.mode & 0o7777).toBe(0o664);
      expect(r.attrs).toMatchObject({ type: FileType.REG, mode: 0o664, uid: ALICE.uid, size: 0 });
    } finally {
      process.umask(old);
    }
  });

  test("create returns the parent's wcc: before = the directory before, after = after", async () => {
    const pre = await stat(fx.dir, { bigint: true });
    await new Promise((r) => setTimeout(r, 10));
    const r = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT);
    const post = await stat(fx.dir, { bigint: true });
    expect(ns(r.dir.before!.mtime)).toBe(pre.mtimeNs);
    expect(ns(r.dir.before!.ctime)).toBe(pre.ctimeNs);
    expect(ns(r.dir.after!.mtime)).toBe(post.mtimeNs);
    expect(post.mtimeNs).toBeGreaterThan(pre.mtimeNs);
  });

  test('GUARDED create of an existing name is EEXIST and leaves the file alone', async () => {
    await writeFile(join(fx.dir, 'f'), 'keep');
    await expectCode(fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, guarded: true }, ROOT), 'EEXIST');
    expect(await readFile(join(fx.dir, 'f'), 'utf8')).toBe('keep');
  });

  test('UNCHECKED create of an existing file opens it; size 0 truncates; mode and owner stay', async () => {
    await writeFile(join(fx.dir, 'f'), 'data');
    await chmod(join(fx.dir, 'f'), 0o646); // ALICE may write it (other), so she may truncate it
    const ino = (await lstat(join(fx.dir, 'f'), { bigint: true })).ino;
    const same = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o777 }, ALICE);
    expect(same.attrs).toMatchObject({ fileid: ino, size: 4, mode: 0o646, uid: 0 });
    const trunc = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o777, size: 0 }, ALICE);
    expect(trunc.attrs).toMatchObject({ fileid: ino, size: 0 });
    expect(await readFile(join(fx.dir, 'f'), 'utf8')).toBe('');
  });

  test('UNCHECKED create over a directory or symlink is EEXIST', async () => {
    await mkdir(join(fx.dir, 'd'));
    await expectCode(fx.be.create(fx.be.rootIno, 'd', { mode: 0o644 }, ROOT), 'EEXIST');
    await fx.be.symlink(fx.be.rootIno, 'l', join(fx.outside, 'x'), 0o777, ROOT);
    await expectCode(fx.be.create(fx.be.rootIno, 'l', { mode: 0o644 }, ROOT), 'EEXIST');
  });

  test('EXCLUSIVE create is idempotent for its verifier and EEXIST for any other', async () => {
    const v = 0x0123456789abcdefn;
    const first = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: v }, ALICE);
    // Linux knfsd's layout: first 4 bytes in mtime seconds, last 4 in atime seconds, high bit clear.
    const st = await lstat(join(fx.dir, 'f'), { bigint: true });
    expect(st.mtimeNs / 10n ** 9n).toBe(0x01234567n);
    expect(st.atimeNs / 10n ** 9n).toBe(0x09abcdefn);
    const again = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: v }, ALICE);
    expect(again.attrs.fileid).toBe(first.attrs.fileid);
    await expectCode(
      fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: v + 1n }, ALICE),
      'EEXIST',
    );
  });

  test('a retransmitted EXCLUSIVE create after data was written is EEXIST (size must be 0)', async () => {
    const v = 42n;
    const r = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: v }, ROOT);
    await fx.be.write(r.attrs.fileid, 0, Buffer.from('x'), 'unstable');
    await expectCode(fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: v }, ROOT), 'EEXIST');
  });

  test('EXCLUSIVE create over a plain existing file is EEXIST', async () => {
    await writeFile(join(fx.dir, 'f'), '');
    await expectCode(
      fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, exclusiveVerifier: 7n }, ROOT),
      'EEXIST',
    );
  });

  test('create with a size makes a file of that size', async () => {
    const r = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o600, size: 4096 }, ROOT);
    expect(r.attrs.size).toBe(4096);
  });

  test('in a set-group-ID directory new entries take its group, and new directories its bit', async () => {
    await mkdir(join(fx.dir, 'shared'));
    await chmod(join(fx.dir, 'shared'), 0o2777);
    const shared = await fx.be.lookup(fx.be.rootIno, 'shared');
    const f = await fx.be.create(shared.fileid, 'f', { mode: 0o644 }, ALICE);
    expect(f.attrs.gid).toBe(shared.gid);
    const d = await fx.be.mkdir(shared.fileid, 'd', 0o755, ALICE);
    expect(d.attrs).toMatchObject({ gid: shared.gid, mode: 0o2755 });
  });

  test('a non-root creator cannot set set-group-ID for a group it is not in', async () => {
    const r = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o2755 }, ALICE);
    expect(r.attrs.mode).toBe(0o2755); // its own group: allowed
    await mkdir(join(fx.dir, 'g'));
    await chmod(join(fx.dir, 'g'), 0o2777); // group 0, which ALICE is not in
    const g = await fx.be.lookup(fx.be.rootIno, 'g');
    const f = await fx.be.create(g.fileid, 'f', { mode: 0o2755 }, ALICE);
    expect(f.attrs.mode).toBe(0o755);
  });

  test('mkdir: owner, exact mode, EEXIST, and the parent wcc', async () => {
    const r = await fx.be.mkdir(fx.be.rootIno, 'd', 0o750, ALICE);
    expect(r.attrs).toMatchObject({
      type: FileType.DIR,
      mode: 0o750,
      uid: ALICE.uid,
      gid: ALICE.gid,
      nlink: 2,
    });
    expect(r.dir.after!.nlink).toBe(3); // the new ".." link
    await expectCode(fx.be.mkdir(fx.be.rootIno, 'd', 0o750, ALICE), 'EEXIST');
    await expectCode(fx.be.mkdir(fx.be.rootIno, '.', 0o750, ALICE), 'EEXIST');
    await expectCode(fx.be.mkdir(fx.be.rootIno, '..', 0o750, ALICE), 'EEXIST');
  });

  test('symlink stores the text as given, owned by the caller, and never follows it', async () => {
    const r = await fx.be.symlink(fx.be.rootIno, 'l', '../outside/nothing', 0o777, ALICE);
    expect(r.attrs).toMatchObject({ type: FileType.LNK, size: '../outside/nothing'.length, uid: ALICE.uid });
    expect(await readlink(join(fx.dir, 'l'))).toBe('../outside/nothing');
    expect((await lstat(join(fx.dir, 'l'))).uid).toBe(ALICE.uid);
    expect(await fx.be.readlink(r.attrs.fileid)).toMatchObject({ target: '../outside/nothing' });
    await expectCode(fx.be.symlink(fx.be.rootIno, 'l', 'x', 0o777, ALICE), 'EEXIST');
    await expectCode(fx.be.symlink(fx.be.rootIno, 'e', '', 0o777, ALICE), 'ENOENT');
  });

  test('readlink of anything but a symlink is EINVAL', async () => {
    await expectCode(fx.be.readlink(fx.be.rootIno), 'EINVAL');
  });

  test('mknod makes FIFOs, sockets and devices with owner, exact mode and device numbers', async () => {
    const p = await fx.be.mknod(fx.be.rootIno, 'p', 'fifo', 0o640, { major: 0, minor: 0 }, ALICE);
    expect(p.attrs).toMatchObject({ type: FileType.FIFO, mode: 0o640, uid: ALICE.uid, gid: ALICE.gid });
    const s = await fx.be.mknod(fx.be.rootIno, 's', 'sock', 0o600, { major: 0, minor: 0 }, ALICE);
    expect(s.attrs).toMatchObject({ type: FileType.SOCK, mode: 0o600, uid: ALICE.uid });
    expect((await lstat(join(fx.dir, 's'))).isSocket()).toBe(true);
    const c = await fx.be.mknod(fx.be.rootIno, 'c', 'chr', 0o666, { major: 1, minor: 3 }, ROOT);
    expect(c.attrs).toMatchObject({ type: FileType.CHR, rdev: { major: 1, minor: 3 }, mode: 0o666 });
    const b = await fx.be.mknod(fx.be.rootIno, 'b', 'blk', 0o660, { major: 7, minor: 1 }, ROOT);
    expect(b.attrs).toMatchObject({ type: FileType.BLK, rdev: { major: 7, minor: 1 } });
    await expectCode(fx.be.mknod(fx.be.rootIno, 'p', 'fifo', 0o640, { major: 0, minor: 0 }, ROOT), 'EEXIST');
    await expectCode(fx.be.mknod(fx.be.rootIno, 's', 'sock', 0o640, { major: 0, minor: 0 }, ROOT), 'EEXIST');
    // The socket's temporary name is gone.
    const names = (await fx.be.readdir(fx.be.rootIno, 0n, 100, false)).entries.map((e) => e.name);
    expect(names.sort()).toEqual(['.', '..', 'b', 'c', 'p', 's']);
  });

  test('link adds a name: nlink goes up, the parent wcc is returned', async () => {
    const f = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT);
    const d = await fx.be.mkdir(fx.be.rootIno, 'd', 0o755, ROOT);
    const r = await fx.be.link(f.attrs.fileid, d.attrs.fileid, 'g');
    expect(r.attrs).toMatchObject({ fileid: f.attrs.fileid, nlink: 2 });
    expect(r.dir.after!.fileid).toBe(d.attrs.fileid);
    expect(ns(r.dir.after!.mtime)).toBeGreaterThanOrEqual(ns(r.dir.before!.mtime));
    expect((await lstat(join(fx.dir, 'd/g'), { bigint: true })).ino).toBe(f.attrs.fileid);
    await expectCode(fx.be.link(f.attrs.fileid, d.attrs.fileid, 'g'), 'EEXIST');
  });

  test('link of a directory is refused (EPERM, as Linux)', async () => {
    const d = await fx.be.mkdir(fx.be.rootIno, 'd', 0o755, ROOT);
    await expectCode(fx.be.link(d.attrs.fileid, fx.be.rootIno, 'd2'), 'EPERM');
  });

  test('bad names are refused before anything is made', async () => {
    await expectCode(fx.be.create(fx.be.rootIno, 'a/b', { mode: 0o644 }, ROOT), 'EACCES');
    await expectCode(fx.be.create(fx.be.rootIno, 'x'.repeat(256), { mode: 0o644 }, ROOT), 'ENAMETOOLONG');
    await expectCode(fx.be.create(fx.be.rootIno, '.', { mode: 0o644 }, ROOT), 'EEXIST');
    await expectCode(fx.be.create(fx.be.rootIno, '', { mode: 0o644 }, ROOT), 'EACCES');
    expect((await fx.be.readdir(fx.be.rootIno, 0n, 10, false)).entries).toHaveLength(2);
  });

  test('creating inside a file is ENOTDIR', async () => {
    const f = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT);
    await expectCode(fx.be.create(f.attrs.fileid, 'x', { mode: 0o644 }, ROOT), 'ENOTDIR');
    await expectCode(fx.be.mkdir(f.attrs.fileid, 'x', 0o755, ROOT), 'ENOTDIR');
  });
});
