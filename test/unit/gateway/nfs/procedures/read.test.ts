import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { RTMAX } from '../../../../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('READ (RFC 1813 §3.3.6)', () => {
  let h: Nfs3Harness;
  let fh: Buffer;
  beforeAll(async () => {
    // The backend would allow 4 MiB reads: the 1 MiB clamp below is the protocol layer's own.
    h = await startNfs3({ backend: { maxIoBytes: 4 << 20 } });
    await writeFile(join(h.dir, 'data'), 'abcdefghij');
    fh = (await h.nfs.lookup(h.root, 'data')).fh!;
  });
  afterAll(() => h.close());

  test('reads a range: data, count, eof false, attributes', async () => {
    const res = await h.nfs.read(fh, 2, 3);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.data?.toString()).toBe('cde');
    expect(res.count).toBe(3);
    expect(res.eof).toBe(false);
    expect(res.attrs?.size).toBe(10);
  });

  test('reading to the end sets eof; past the end is 0 bytes with eof', async () => {
    const tail = await h.nfs.read(fh, 8, 100);
    expect(tail.data?.toString()).toBe('ij');
    expect(tail.eof).toBe(true);
    const past = await h.nfs.read(fh, 50, 10);
    expect(past.count).toBe(0);
    expect(past.eof).toBe(true);
    const huge = await h.nfs.read(fh, 2n ** 62n, 10);
    expect(huge).toMatchObject({ stat: Nfs3Stat.NFS3_OK, count: 0, eof: true });
  });

  test('count is clamped to rtmax (1 MiB)', async () => {
    await writeFile(join(h.dir, 'big'), Buffer.alloc(RTMAX + 4096, 7));
    const big = (await h.nfs.lookup(h.root, 'big')).fh!;
    const res = await h.nfs.read(big, 0, 4 * RTMAX);
    expect(res.count).toBe(RTMAX);
    expect(res.eof).toBe(false);
  });

  test('a directory is NFS3ERR_ISDIR, with its attributes', async () => {
    const res = await h.nfs.read(h.root, 0, 10);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_ISDIR);
    expect(res.attrs?.type).toBe(FileType.DIR);
  });
});
