import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('READLINK (RFC 1813 §3.3.5)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('returns the stored target, never followed', async () => {
    const made = await h.nfs.symlink(h.root, 'ln', '../../etc/passwd');
    expect(made.stat).toBe(Nfs3Stat.NFS3_OK);
    const res = await h.nfs.readlink(made.fh!);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.target).toBe('../../etc/passwd');
    expect(res.attrs?.type).toBe(FileType.LNK);
  });

  test('a regular file is NFS3ERR_INVAL, with its attributes', async () => {
    const made = await h.nfs.create(h.root, 'plain', 1);
    const res = await h.nfs.readlink(made.fh!);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_INVAL);
    expect(res.attrs?.type).toBe(FileType.REG);
  });
});
