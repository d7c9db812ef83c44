import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('GETATTR (RFC 1813 §3.3.1)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('returns the fattr3 of the export root', async () => {
    const res = await h.nfs.getattr(h.root);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs?.type).toBe(FileType.DIR);
    expect(res.attrs?.mode).toBe(0o777);
    expect(res.attrs?.fileid).toBe(h.backend.rootIno);
  });

  test('a handle we never issued is NFS3ERR_BADHANDLE, with no body', async () => {
    const forged = Buffer.from(h.root);
    forged[forged.length - 1] ^= 0xff;
    const res = await h.nfs.getattr(forged);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
    expect((await h.nfs.getattr(Buffer.from('short'))).stat).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
  });

  test('the handle of a deleted file is NFS3ERR_STALE', async () => {
    await writeFile(join(h.dir, 'doomed'), 'x');
    const found = await h.nfs.lookup(h.root, 'doomed');
    expect(found.stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.getattr(found.fh!)).stat).toBe(Nfs3Stat.NFS3_OK);
    await rm(join(h.dir, 'doomed'));
    expect((await h.nfs.getattr(found.fh!)).stat).toBe(Nfs3Stat.NFS3ERR_STALE);
  });

  test('a handle longer than NFS3_FHSIZE is undecodable: GARBAGE_ARGS', async () => {
    await expect(h.nfs.getattr(Buffer.alloc(65))).rejects.toThrow(/accept_stat 4/);
  });
});
