import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { StableHow } from '../../../../../gateway/nfs/procedures/write';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('COMMIT (RFC 1813 §3.3.21)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('after UNSTABLE writes: the same verifier as the writes, and the file’s attributes', async () => {
    const { fh } = await h.nfs.create(h.root, 'c1', 1);
    const w = await h.nfs.write(fh!, 0, Buffer.from('data'), StableHow.UNSTABLE);
    const res = await h.nfs.commit(fh!, 0, 0);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.verf).toEqual(w.verf);
    expect(res.wcc?.after?.size).toBe(4);
  });

  test('two server instances have different verifiers (a client resends after a restart)', async () => {
    const other = await startNfs3();
    try {
      expect(other.nfsProgram.writeVerifier).not.toEqual(h.nfsProgram.writeVerifier);
    } finally {
      await other.close();
    }
  });

  test('a stale handle is NFS3ERR_STALE with empty wcc data', async () => {
    const { fh } = await h.nfs.create(h.root, 'c2', 1);
    await h.nfs.remove(h.root, 'c2');
    const res = await h.nfs.commit(fh!);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_STALE);
    expect(res.wcc).toEqual({ before: undefined, after: undefined });
  });
});
