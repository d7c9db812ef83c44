import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';
import { authSysOf, connectRaw, type RawNfsClient } from '../helpers/raw-nfs-client';

/**
 * The server, not the client, must enforce POSIX permissions for the identity it mapped: a
 * squashed root (65534) or a stranger (4321) may not unlink, create, rename in, write, read or
 * search what the modes forbid. libnfs checks ACCESS itself before open(), so WRITE and READ
 * are sent raw. What it reveals: a gateway that runs as root and trusts the client — root
 * squash without teeth. Every test works in its own directory, so one failure cannot cascade.
 */
describePeer('permissions enforced by the server', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let t: TestHead;
  let squashedRoot: LibnfsTool;
  let raw: RawNfsClient;
  let root: Buffer;
  const disk = (p: string) => join(t.dir, p);

  /** `/name` (mode `dirMode`, the test process's) holding `file` (mode `fileMode`). */
  async function fixture(name: string, dirMode: number, fileMode = 0o644): Promise<void> {
    await mkdir(disk(name));
    await chmod(disk(name), dirMode);
    await writeFile(disk(`${name}/file`), 'kept');
    await chmod(disk(`${name}/file`), fileMode);
  }

  beforeAll(async () => {
    t = await startTestHead();
    squashedRoot = libnfsTool(t.url).as({ uid: 0, gid: 0 });
    raw = await connectRaw(t.head.nfs.port, authSysOf(4321, 4321));
    root = await raw.mountRoot();
  });
  afterAll(async () => {
    await raw?.close();
    await t?.close();
  });

  test('REMOVE in a directory the caller may not write: NFS3ERR_ACCES, the file stays', async () => {
    await fixture('rm', 0o755);
    await expect(squashedRoot.unlink('/rm/file')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await readdir(disk('rm'))).toEqual(['file']);
  });

  test('CREATE, MKDIR and SYMLINK in a directory the caller may not write: NFS3ERR_ACCES', async () => {
    await fixture('mk', 0o755);
    await expect(squashedRoot.creat('/mk/new', 0o644)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(squashedRoot.mkdir('/mk/sub', 0o755)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(squashedRoot.symlink('x', '/mk/ln')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await readdir(disk('mk'))).toEqual(['file']);
  });

  test('RENAME out of a directory the caller may not write: NFS3ERR_ACCES', async () => {
    await fixture('mv', 0o755);
    await expect(squashedRoot.rename('/mv/file', '/stolen')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await readdir(disk('mv'))).toEqual(['file']);
  });

  test('REMOVE of another user’s file in a sticky directory: NFS3ERR_ACCES', async () => {
    await fixture('sticky', 0o1777, 0o666);
    await expect(squashedRoot.unlink('/sticky/file')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await readdir(disk('sticky'))).toEqual(['file']);
  });

  test('a raw WRITE to a file the caller may not write: NFS3ERR_ACCES, the bytes stay', async () => {
    await fixture('wr', 0o755, 0o644);
    const res = await raw.nfs.write(await raw.walk(root, '/wr/file'), 0, Buffer.from('PWNED'));
    expect(Nfs3Stat[res.stat]).toBe('NFS3ERR_ACCES');
    expect(await readFile(disk('wr/file'), 'utf8')).toBe('kept');
  });

  test('a raw READ of a file the caller may not read: NFS3ERR_ACCES, no data', async () => {
    await fixture('rd', 0o755, 0o600);
    const res = await raw.nfs.read(await raw.walk(root, '/rd/file'), 0, 100);
    expect(Nfs3Stat[res.stat]).toBe('NFS3ERR_ACCES');
    expect(res.data).toBeUndefined();
  });

  test('LOOKUP in a directory the caller may not search: NFS3ERR_ACCES', async () => {
    await fixture('closed', 0o700);
    const res = await raw.nfs.lookup(await raw.walk(root, '/closed'), 'file');
    expect(Nfs3Stat[res.stat]).toBe('NFS3ERR_ACCES');
    expect(res.fh).toBeUndefined();
  });

  test('control: the same calls succeed where the modes allow them', async () => {
    await fixture('open', 0o777, 0o666);
    await squashedRoot.creat('/open/new', 0o644);
    await squashedRoot.unlink('/open/new');
    const res = await raw.nfs.write(await raw.walk(root, '/open/file'), 0, Buffer.from('OK'));
    expect(Nfs3Stat[res.stat]).toBe('NFS3_OK');
    expect(await readFile(disk('open/file'), 'utf8')).toBe('OKpt');
  });
});
