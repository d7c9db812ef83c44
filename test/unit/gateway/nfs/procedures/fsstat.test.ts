import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('FSSTAT (RFC 1813 §3.3.18)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('answers sizes that add up, and invarsec 0', async () => {
    const res = await h.nfs.fsstat(h.root);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.tbytes!).toBeGreaterThan(0);
    expect(res.fbytes!).toBeLessThanOrEqual(res.tbytes!);
    expect(res.abytes!).toBeLessThanOrEqual(res.fbytes!);
    expect(res.invarsec).toBe(0);
    expect(res.attrs?.fileid).toBe(h.backend.rootIno);
  });

  test('a stale handle is NFS3ERR_STALE without attributes', async () => {
    const d = await h.nfs.mkdir(h.root, 'x');
    await h.nfs.rmdir(h.root, 'x');
    const res = await h.nfs.fsstat(d.fh!);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_STALE);
    expect(res.attrs).toBeUndefined();
  });
});
