import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('MKNOD (RFC 1813 §3.3.11)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('makes a FIFO', async () => {
    const res = await h.nfs.mknod(h.root, 'fifo', FileType.FIFO, { mode: 0o600 });
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs).toMatchObject({ type: FileType.FIFO, mode: 0o600 });
    expect((await stat(join(h.dir, 'fifo'))).isFIFO()).toBe(true);
  });

  test.each([
    ['NF3REG', FileType.REG],
    ['NF3DIR', FileType.DIR],
    ['NF3LNK', FileType.LNK],
    ['an unknown ftype3', 99],
  ])('%s is NFS3ERR_BADTYPE, with the parent’s wcc data', async (_name, type) => {
    const res = await h.nfs.mknod(h.root, `bad${type}`, type);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_BADTYPE);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('a device node from a non-root caller is NFS3ERR_PERM, and none appears', async () => {
    const res = await h.nfs.mknod(h.root, 'null', FileType.CHR, { mode: 0o666 }, { major: 1, minor: 3 });
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_PERM);
    expect(res.dirWcc?.after).toBeDefined();
    await expect(stat(join(h.dir, 'null'))).rejects.toThrow();
  });

  test('root squashed to 65534 may not make one either', async () => {
    h.nfs.auth = { stamp: 1, machine: 'm', uid: 0, gid: 0, gids: [] };
    try {
      const res = await h.nfs.mknod(h.root, 'blk', FileType.BLK, { mode: 0o600 }, { major: 7, minor: 0 });
      expect(res.stat).toBe(Nfs3Stat.NFS3ERR_PERM);
    } finally {
      h.nfs.auth = { stamp: 1, machine: 'test', uid: 1000, gid: 1000, gids: [1000] };
    }
  });
});
