import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MountStat3 } from '../../../../../gateway/mount/mount3-status';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { captureLogger } from '../../../../helpers/capture-logger';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('MOUNTPROC3_MNT (RFC 1813 §5.2.1)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
    await mkdir(join(h.dir, 'a', 'b'), { recursive: true });
    await writeFile(join(h.dir, 'a', 'file'), '');
  });
  afterAll(() => h.close());

  test('the export gives the root handle NFS accepts, AUTH_SYS then AUTH_NONE', async () => {
    const res = await h.mount.mnt('/export');
    expect(res.stat).toBe(MountStat3.MNT3_OK);
    expect(res.fh).toEqual(h.root);
    expect(res.flavors).toEqual([1, 0]);
    expect((await h.nfs.getattr(res.fh!)).attrs?.fileid).toBe(h.backend.rootIno);
  });

  test('a trailing slash names the same export', async () => {
    expect((await h.mount.mnt('/export/')).fh).toEqual(h.root);
  });

  test('a directory below the export mounts at that directory', async () => {
    const res = await h.mount.mnt('/export/a/b');
    expect(res.stat).toBe(MountStat3.MNT3_OK);
    const viaNfs = await h.nfs.lookup((await h.nfs.lookup(h.root, 'a')).fh!, 'b');
    expect(viaNfs.stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.getattr(res.fh!)).attrs?.fileid).toBe(viaNfs.attrs?.fileid);
  });

  test('no such export or path is MNT3ERR_NOENT; a file is MNT3ERR_NOTDIR; ".." is refused', async () => {
    expect((await h.mount.mnt('/nope')).stat).toBe(MountStat3.MNT3ERR_NOENT);
    expect((await h.mount.mnt('/exporter')).stat).toBe(MountStat3.MNT3ERR_NOENT);
    expect((await h.mount.mnt('/export/a/missing')).stat).toBe(MountStat3.MNT3ERR_NOENT);
    expect((await h.mount.mnt('/export/a/file')).stat).toBe(MountStat3.MNT3ERR_NOTDIR);
    expect((await h.mount.mnt('/export/a/../..')).stat).toBe(MountStat3.MNT3ERR_ACCES);
  });
});

describe('MNT logging', () => {
  test('a mount is logged with the client address and path; a refusal too', async () => {
    const { logger, entries } = captureLogger('info');
    const h = await startNfs3({ logger });
    try {
      await h.mount.mnt('/export');
      await h.mount.mnt('/elsewhere');
      expect(entries).toEqual([
        expect.objectContaining({ level: 'info', message: 'mount', client: '127.0.0.1', dirpath: '/export' }),
        expect.objectContaining({ level: 'info', client: '127.0.0.1', dirpath: '/elsewhere' }),
      ]);
    } finally {
      await h.close();
    }
  });
});
