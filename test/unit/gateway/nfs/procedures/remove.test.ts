import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('REMOVE (RFC 1813 §3.3.12)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('removes a file and answers the directory’s wcc data', async () => {
    await h.nfs.create(h.root, 'r1', 1);
    const res = await h.nfs.remove(h.root, 'r1');
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.dirWcc?.before).toBeDefined();
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
    await expect(access(join(h.dir, 'r1'))).rejects.toThrow();
  });

  test('a missing name is NFS3ERR_NOENT, still with the directory’s wcc data', async () => {
    const res = await h.nfs.remove(h.root, 'never');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('a directory is refused (NFS3ERR_ISDIR) and stays', async () => {
    await h.nfs.mkdir(h.root, 'adir');
    const res = await h.nfs.remove(h.root, 'adir');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_ISDIR);
    await access(join(h.dir, 'adir'));
  });
});
