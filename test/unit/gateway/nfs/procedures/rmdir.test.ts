import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('RMDIR (RFC 1813 §3.3.13)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('removes an empty directory; its handle then is STALE', async () => {
    const d = await h.nfs.mkdir(h.root, 'e');
    const res = await h.nfs.rmdir(h.root, 'e');
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
    expect((await h.nfs.getattr(d.fh!)).stat).toBe(Nfs3Stat.NFS3ERR_STALE);
  });

  test('a non-empty directory is NFS3ERR_NOTEMPTY with the parent’s wcc data', async () => {
    const d = await h.nfs.mkdir(h.root, 'full');
    await h.nfs.create(d.fh!, 'child', 1);
    const res = await h.nfs.rmdir(h.root, 'full');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOTEMPTY);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('a file is NFS3ERR_NOTDIR', async () => {
    await h.nfs.create(h.root, 'plain', 1);
    expect((await h.nfs.rmdir(h.root, 'plain')).stat).toBe(Nfs3Stat.NFS3ERR_NOTDIR);
  });
});
