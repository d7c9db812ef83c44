import { readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { libnfsUtilsPresent, nfsCat, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { authSysOf, connectRaw, type RawNfsClient } from '../helpers/raw-nfs-client';
import { expectStillServed } from '../helpers/still-served';

/**
 * Nothing outside the export is reachable: '..' at the export root is the root itself (RFC 1813
 * §3.3.3 leaves it to the server; knfsd answers so), and symlinks — made on disk or by SYMLINK —
 * are text for the client to interpret, never followed by the server. libnfs resolves links
 * itself, inside the mount; so no path through them may yield /etc/passwd's bytes.
 */
const passwd = readFileSync('/etc/passwd');

const peers = libnfsUtilsPresent && libnfsToolBuildable;

describePeer('confinement to the export', 'libnfs-utils + gcc + libnfs-dev', peers, () => {
  let t: TestHead;
  let nfs: LibnfsTool;
  let c: RawNfsClient;
  let root: Buffer;
  const leaks = (b: Buffer) => b.length > 0 && (b.equals(passwd) || b.includes(passwd.subarray(0, 20)));
  /** What a libnfs read of `path` gives: the bytes, or the failure text. */
  const catOrFail = (path: string) =>
    nfsCat(urlOf(t.url, path)).catch((e: Error) => Buffer.from(`FAILED ${e.message}`));

  beforeAll(async () => {
    t = await startTestHead();
    await writeFile(join(t.dir, 'probe.txt'), 'probe');
    await mkdir(join(t.dir, 'sub'));
    await symlink('/etc', join(t.dir, 'etc-abs'));
    await symlink('/etc/passwd', join(t.dir, 'passwd-abs'));
    await symlink('../../../../../../../../etc', join(t.dir, 'sub', 'etc-rel'));
    await symlink('../..', join(t.dir, 'up-up'));
    nfs = libnfsTool(t.url).as({ uid: 1000, gid: 1000 });
    await nfs.symlink('/etc/passwd', '/made-by-nfs');
    c = await connectRaw(t.head.nfs.port, authSysOf(1000, 1000));
    root = await c.mountRoot();
  });
  afterAll(async () => {
    await c?.close();
    await t?.close();
  });

  test("LOOKUP '..' at the export root answers the root itself", async () => {
    const up = await c.nfs.lookup(root, '..');
    expect(Nfs3Stat[up.stat]).toBe('NFS3_OK');
    expect(up.fh!.equals(root)).toBe(true);
    const upUp = await c.nfs.lookup(up.fh!, '..');
    expect(upUp.fh!.equals(root)).toBe(true);
    const names = (await c.nfs.listAll(up.fh!)).entries.map((e) => e.name);
    expect(names).toContain('probe.txt');
  });

  test("LOOKUP '..' from a subdirectory answers the root, and '.' the directory itself", async () => {
    const sub = await c.walk(root, '/sub');
    expect((await c.nfs.lookup(sub, '..')).fh!.equals(root)).toBe(true);
    expect((await c.nfs.lookup(sub, '.')).fh!.equals(sub)).toBe(true);
  });

  test('LOOKUP through a symlink is not a directory walk: NFS3ERR_NOTDIR', async () => {
    const link = await c.walk(root, '/etc-abs');
    expect((await c.nfs.getattr(link)).attrs!.type).toBe(5); // NF3LNK
    expect(Nfs3Stat[(await c.nfs.lookup(link, 'passwd')).stat]).toBe('NFS3ERR_NOTDIR');
    const read = await c.nfs.read(await c.walk(root, '/passwd-abs'), 0, 4096);
    expect(Nfs3Stat[read.stat]).not.toBe('NFS3_OK');
    expect(read.data).toBeUndefined();
  });

  test('READLINK returns the link text unchanged', async () => {
    expect(await nfs.readlink('/etc-abs')).toBe('/etc');
    expect(await nfs.readlink('/sub/etc-rel')).toBe('../../../../../../../../etc');
    expect(await nfs.readlink('/made-by-nfs')).toBe('/etc/passwd');
  });

  test.each(['/etc-abs/passwd', '/passwd-abs', '/sub/etc-rel/passwd', '/up-up/etc/passwd', '/made-by-nfs'])(
    'reading %s through libnfs never yields /etc/passwd',
    async (path) => {
      // nfs-cat mounts the path's directory (MNT walks it: a link there is MNT3ERR_NOTDIR);
      // libnfs-tool mounts the export and resolves links itself, refusing any that leave it.
      expect(leaks(await catOrFail(path))).toBe(false);
      expect(leaks(await nfs.cat(path).catch((e: Error) => Buffer.from(e.message)))).toBe(false);
    },
  );

  test.each([
    '/export/etc-abs',
    '/export/up-up',
    '/export/sub/etc-rel',
    '/export/..',
    '/export/../etc',
    '/export/sub/../..',
  ])('MNT of %s hands out no handle', async (dirpath) => {
    const res = await c.mount.mnt(dirpath);
    expect(res.fh).toBeUndefined();
    expect(res.stat).not.toBe(0);
  });

  test('listing through the links shows the export, never /etc', async () => {
    const viaLink = await nfsLs(urlOf(t.url, '/up-up')).catch(() => []);
    expect(viaLink.map((e) => e.name)).not.toContain('passwd');
    expect(viaLink.map((e) => e.name)).not.toContain('hostname');
  });

  test('the head still serves normally afterwards', async () => {
    await expectStillServed(t.url, t.dir, 'probe.txt');
  });
});
