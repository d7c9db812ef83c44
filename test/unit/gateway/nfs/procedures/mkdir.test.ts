import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('MKDIR (RFC 1813 §3.3.9)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('makes a directory with the mode asked; the parent’s nlink and wcc follow', async () => {
    const before = (await h.nfs.getattr(h.root)).attrs!;
    const res = await h.nfs.mkdir(h.root, 'd1', { mode: 0o750 });
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs).toMatchObject({ type: FileType.DIR, mode: 0o750, uid: 1000 });
    expect(res.dirWcc?.before?.mtime).toEqual(before.mtime);
    expect(res.dirWcc?.after?.nlink).toBe(before.nlink + 1);
    expect((await h.nfs.lookup(res.fh!, '.')).attrs?.fileid).toBe(res.attrs?.fileid);
  });

  test('an existing name is NFS3ERR_EXIST with the parent’s wcc data', async () => {
    await h.nfs.mkdir(h.root, 'd2');
    const res = await h.nfs.mkdir(h.root, 'd2');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
    expect(res.dirWcc?.after?.type).toBe(FileType.DIR);
  });

  test('nests: a directory made inside one made over NFS', async () => {
    const a = await h.nfs.mkdir(h.root, 'd3');
    const b = await h.nfs.mkdir(a.fh!, 'inner');
    expect(b.stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.lookup(b.fh!, '..')).attrs?.fileid).toBe(a.attrs?.fileid);
  });
});
