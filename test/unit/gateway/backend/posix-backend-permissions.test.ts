import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cred } from '../../../../gateway/backend/backend';
import { ALICE, BOB, expectCode, ROOT, useExport } from './fixture';

/**
 * The gateway runs as root, so POSIX permissions are ours to enforce for the caller's Cred
 * (what knfsd gets from running each call with the client's fsuid). Each test builds its own
 * directory; what it proves is in its name. SQUASHED is what root squash maps root to.
 */
const SQUASHED: Cred = { uid: 65534, gid: 65534, gids: [] };

describe('PosixBackend enforces POSIX permissions for the caller', () => {
  const fx = useExport();

  /** `/name` owned by root with `dirMode`, holding `file` (root's, `fileMode`). */
  async function fixture(
    name: string,
    dirMode: number,
    fileMode = 0o644,
  ): Promise<{ dir: bigint; file: bigint }> {
    await mkdir(join(fx.dir, name));
    await chmod(join(fx.dir, name), dirMode);
    await writeFile(join(fx.dir, name, 'file'), 'kept');
    await chmod(join(fx.dir, name, 'file'), fileMode);
    const dir = (await fx.be.lookup(fx.be.rootIno, name)).fileid;
    return { dir, file: (await fx.be.lookup(dir, 'file')).fileid };
  }

  test('CREATE, MKDIR, SYMLINK, MKNOD and LINK need write and search permission on the directory', async () => {
    const { dir, file } = await fixture('mk', 0o755);
    const none = { major: 0, minor: 0 };
    await expectCode(fx.be.create(dir, 'new', { mode: 0o644 }, SQUASHED), 'EACCES');
    await expectCode(fx.be.create(dir, 'new', { mode: 0o644, guarded: true }, SQUASHED), 'EACCES');
    await expectCode(fx.be.mkdir(dir, 'sub', 0o755, SQUASHED), 'EACCES');
    await expectCode(fx.be.symlink(dir, 'ln', 'x', 0o777, SQUASHED), 'EACCES');
    await expectCode(fx.be.mknod(dir, 'p', 'fifo', 0o644, none, SQUASHED), 'EACCES');
    await expectCode(fx.be.link(file, dir, 'hard', SQUASHED), 'EACCES');
    expect(await readdir(join(fx.dir, 'mk'))).toEqual(['file']);
    // the owner and root may
    await fx.be.create(dir, 'by-root', { mode: 0o644 }, ROOT);
    await chown(join(fx.dir, 'mk'), ALICE.uid, ALICE.gid);
    await fx.be.mkdir(dir, 'by-alice', 0o755, ALICE);
  });

  test('UNCHECKED create over an existing file needs only search permission; truncating it needs write', async () => {
    const { dir } = await fixture('ex', 0o755, 0o644);
    expect((await fx.be.create(dir, 'file', { mode: 0o644 }, SQUASHED)).attrs.size).toBe(4);
    await expectCode(fx.be.create(dir, 'file', { mode: 0o644, size: 0 }, SQUASHED), 'EACCES');
    expect(await readFile(join(fx.dir, 'ex/file'), 'utf8')).toBe('kept');
  });

  test('REMOVE and RMDIR need write and search permission on the directory', async () => {
    const { dir } = await fixture('rm', 0o755);
    await mkdir(join(fx.dir, 'rm/sub'));
    await expectCode(fx.be.remove(dir, 'file', SQUASHED), 'EACCES');
    await expectCode(fx.be.rmdir(dir, 'sub', SQUASHED), 'EACCES');
    expect((await readdir(join(fx.dir, 'rm'))).sort()).toEqual(['file', 'sub']);
    await fx.be.remove(dir, 'file', ROOT);
  });

  test('in a sticky directory only the entry’s owner, the directory’s owner or root may remove it', async () => {
    const { dir } = await fixture('sticky', 0o1777, 0o666);
    await expectCode(fx.be.remove(dir, 'file', SQUASHED), 'EACCES');
    await expectCode(fx.be.rename(dir, 'file', dir, 'renamed', SQUASHED), 'EACCES');
    const mine = await fx.be.create(dir, 'mine', { mode: 0o644 }, BOB);
    await expectCode(fx.be.remove(dir, 'mine', ALICE), 'EACCES');
    expect((await fx.be.remove(dir, 'mine', BOB)).target.fileid).toBe(mine.attrs.fileid);
    await fx.be.remove(dir, 'file', ROOT);
  });

  test('RENAME needs write on both directories; moving a directory across parents needs write on it', async () => {
    const { dir: from } = await fixture('mv', 0o755);
    await expectCode(fx.be.rename(from, 'file', fx.be.rootIno, 'stolen', SQUASHED), 'EACCES');
    expect(await readdir(join(fx.dir, 'mv'))).toEqual(['file']);
    const { dir: open } = await fixture('open', 0o777);
    const { dir: closed } = await fixture('closed', 0o755);
    await expectCode(fx.be.rename(open, 'file', closed, 'x', SQUASHED), 'EACCES');
    // a directory ALICE cannot write, moved between two directories she can: refused
    await mkdir(join(fx.dir, 'open/ro-dir'));
    await chmod(join(fx.dir, 'open/ro-dir'), 0o555);
    const { dir: open2 } = await fixture('open2', 0o777);
    await expectCode(fx.be.rename(open, 'ro-dir', open2, 'ro-dir', ALICE), 'EACCES');
    // renaming it inside the same directory does not touch its '..': allowed
    await fx.be.rename(open, 'ro-dir', open, 'ro-dir2', ALICE);
  });

  test('WRITE needs write permission or ownership; READ needs read, execute or ownership', async () => {
    const { file } = await fixture('rw', 0o755, 0o600);
    await expectCode(fx.be.write(file, 0, Buffer.from('PWNED'), 'unstable', SQUASHED), 'EACCES');
    await expectCode(fx.be.read(file, 0, 10, SQUASHED), 'EACCES');
    expect(await readFile(join(fx.dir, 'rw/file'), 'utf8')).toBe('kept');
    await chown(join(fx.dir, 'rw/file'), ALICE.uid, ALICE.gid);
    await chmod(join(fx.dir, 'rw/file'), 0o000); // owner override: the owner still may
    await fx.be.write(file, 0, Buffer.from('KEPT'), 'unstable', ALICE);
    expect((await fx.be.read(file, 0, 10, ALICE)).data.toString()).toBe('KEPT');
    await chmod(join(fx.dir, 'rw/file'), 0o001); // execute only: a client may read what it may run
    expect((await fx.be.read(file, 0, 10, SQUASHED)).data.toString()).toBe('KEPT');
  });

  test('LOOKUP needs search permission; READDIR needs read permission', async () => {
    const { dir } = await fixture('closed', 0o700);
    await expectCode(fx.be.lookup(dir, 'file', SQUASHED), 'EACCES');
    await expectCode(fx.be.readdir(dir, 0n, 10, false, SQUASHED), 'EACCES');
    await chmod(join(fx.dir, 'closed'), 0o711); // search, no read
    expect((await fx.be.lookup(dir, 'file', SQUASHED)).size).toBe(4);
    await expectCode(fx.be.readdir(dir, 0n, 10, false, SQUASHED), 'EACCES');
  });

  test('LINK to someone else’s file needs read and write access to it (protected hard links)', async () => {
    const { file } = await fixture('hl', 0o777, 0o644);
    await expectCode(fx.be.link(file, fx.be.rootIno, 'grab', ALICE), 'EPERM');
    await chmod(join(fx.dir, 'hl/file'), 0o666);
    expect((await fx.be.link(file, fx.be.rootIno, 'grab', ALICE)).attrs.nlink).toBe(2);
    await chmod(join(fx.dir, 'hl/file'), 0o4666); // set-user-ID: never
    await expectCode(fx.be.link(file, fx.be.rootIno, 'grab2', ALICE), 'EPERM');
  });

  test('without a Cred (trusted internal callers) nothing is checked', async () => {
    const { dir, file } = await fixture('trusted', 0o700, 0o600);
    expect((await fx.be.read(file, 0, 10)).data.toString()).toBe('kept');
    await fx.be.remove(dir, 'file');
  });
});
