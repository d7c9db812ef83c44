import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WTMAX } from '../../../../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { StableHow } from '../../../../../gateway/nfs/procedures/write';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('WRITE (RFC 1813 §3.3.7)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('writes, answers wcc before/after, count, stability and the boot verifier', async () => {
    const { fh } = await h.nfs.create(h.root, 'w1', 1);
    const first = await h.nfs.write(fh!, 0, Buffer.from('hello'), StableHow.FILE_SYNC);
    expect(first.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(first.count).toBe(5);
    expect(first.committed).toBe(StableHow.FILE_SYNC);
    expect(first.wcc?.before?.size).toBe(0);
    expect(first.wcc?.after?.size).toBe(5);
    expect(first.verf).toEqual(h.nfsProgram.writeVerifier);
    const second = await h.nfs.write(fh!, 5, Buffer.from(' world'), StableHow.UNSTABLE);
    expect(second.committed).toBeGreaterThanOrEqual(StableHow.UNSTABLE);
    expect(second.verf).toEqual(first.verf);
    expect(await readFile(join(h.dir, 'w1'), 'utf8')).toBe('hello world');
  });

  test('count above the data sent is NFS3ERR_INVAL, with the file’s wcc data', async () => {
    const { fh } = await h.nfs.create(h.root, 'w2', 1);
    const res = await h.nfs.write(fh!, 0, Buffer.from('abc'), StableHow.FILE_SYNC, 10);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_INVAL);
    expect(res.wcc?.after?.size).toBe(0);
  });

  test('count below the data sent writes count bytes', async () => {
    const { fh } = await h.nfs.create(h.root, 'w3', 1);
    const res = await h.nfs.write(fh!, 0, Buffer.from('abcdef'), StableHow.FILE_SYNC, 2);
    expect(res.count).toBe(2);
    expect(await readFile(join(h.dir, 'w3'), 'utf8')).toBe('ab');
  });

  test('a directory is NFS3ERR_ISDIR with its wcc data', async () => {
    const res = await h.nfs.write(h.root, 0, Buffer.from('x'));
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_ISDIR);
    expect(res.wcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('wtmax bytes are accepted; more are undecodable (GARBAGE_ARGS)', async () => {
    const { fh } = await h.nfs.create(h.root, 'w4', 1);
    const ok = await h.nfs.write(fh!, 0, Buffer.alloc(WTMAX, 1), StableHow.UNSTABLE);
    expect(ok.count).toBe(WTMAX);
    await expect(h.nfs.write(fh!, 0, Buffer.alloc(WTMAX + 4, 1))).rejects.toThrow(/accept_stat 4/);
  });
});
