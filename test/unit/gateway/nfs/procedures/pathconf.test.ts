import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('PATHCONF (RFC 1813 §3.3.20)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('name_max 255, no_trunc, chown_restricted, case-sensitive and case-preserving', async () => {
    const res = await h.nfs.pathconf(h.root);
    expect(res).toMatchObject({
      stat: Nfs3Stat.NFS3_OK,
      nameMax: 255,
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
    });
    expect(res.linkmax!).toBeGreaterThan(1);
  });

  test('name_max is what LOOKUP enforces', async () => {
    const { nameMax } = await h.nfs.pathconf(h.root);
    expect((await h.nfs.create(h.root, 'n'.repeat(nameMax!), 1)).stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.create(h.root, 'n'.repeat(nameMax! + 1), 1)).stat).toBe(Nfs3Stat.NFS3ERR_NAMETOOLONG);
  });
});
