import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('SYMLINK (RFC 1813 §3.3.10)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('creates a link holding the target as given', async () => {
    const res = await h.nfs.symlink(h.root, 's1', 'target/elsewhere');
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs).toMatchObject({ type: FileType.LNK, uid: 1000 });
    expect(res.dirWcc?.after).toBeDefined();
    expect(await readlink(join(h.dir, 's1'))).toBe('target/elsewhere');
  });

  test('an existing name is NFS3ERR_EXIST with the parent’s wcc data', async () => {
    await h.nfs.symlink(h.root, 's2', 'a');
    const res = await h.nfs.symlink(h.root, 's2', 'b');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });
});
