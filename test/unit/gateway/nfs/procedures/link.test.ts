import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('LINK (RFC 1813 §3.3.15)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('links a file into another directory: nlink 2, target directory wcc', async () => {
    const f = await h.nfs.create(h.root, 'orig', 1);
    const d = await h.nfs.mkdir(h.root, 'other');
    const res = await h.nfs.link(f.fh!, d.fh!, 'alias');
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs?.nlink).toBe(2);
    expect(res.dirWcc?.after?.fileid).toBe(d.attrs?.fileid);
    expect((await h.nfs.lookup(d.fh!, 'alias')).attrs?.fileid).toBe(f.attrs?.fileid);
  });

  test('an existing name is NFS3ERR_EXIST, with the file’s attributes and the directory’s wcc', async () => {
    const f = await h.nfs.create(h.root, 'one', 1);
    await h.nfs.create(h.root, 'taken', 1);
    const res = await h.nfs.link(f.fh!, h.root, 'taken');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
    expect(res.attrs?.fileid).toBe(f.attrs?.fileid);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('a directory cannot be hard-linked', async () => {
    const d = await h.nfs.mkdir(h.root, 'dd');
    const res = await h.nfs.link(d.fh!, h.root, 'dd2');
    expect([Nfs3Stat.NFS3ERR_PERM, Nfs3Stat.NFS3ERR_ISDIR]).toContain(res.stat);
  });
});
