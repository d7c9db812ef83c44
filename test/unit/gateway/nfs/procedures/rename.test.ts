import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('RENAME (RFC 1813 §3.3.14)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('across directories: both wcc data, the handle still works', async () => {
    const a = await h.nfs.mkdir(h.root, 'a');
    const b = await h.nfs.mkdir(h.root, 'b');
    const f = await h.nfs.create(a.fh!, 'f', 1);
    await h.nfs.write(f.fh!, 0, Buffer.from('moved'));
    const res = await h.nfs.rename(a.fh!, 'f', b.fh!, 'g');
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.fromWcc?.after?.fileid).toBe(a.attrs?.fileid);
    expect(res.toWcc?.after?.fileid).toBe(b.attrs?.fileid);
    expect(res.fromWcc?.before).toBeDefined();
    expect(await readFile(join(h.dir, 'b', 'g'), 'utf8')).toBe('moved');
    expect((await h.nfs.getattr(f.fh!)).stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.lookup(a.fh!, 'f')).stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
  });

  test('replaces an existing target file', async () => {
    await h.nfs.create(h.root, 'src', 1);
    const dst = await h.nfs.create(h.root, 'dst', 1);
    expect((await h.nfs.rename(h.root, 'src', h.root, 'dst')).stat).toBe(Nfs3Stat.NFS3_OK);
    expect((await h.nfs.getattr(dst.fh!)).stat).toBe(Nfs3Stat.NFS3ERR_STALE);
  });

  test('a missing source is NFS3ERR_NOENT with both directories’ wcc data', async () => {
    const c = await h.nfs.mkdir(h.root, 'c');
    const res = await h.nfs.rename(h.root, 'nothing', c.fh!, 'x');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
    expect(res.fromWcc?.after?.fileid).toBe(h.backend.rootIno);
    expect(res.toWcc?.after?.fileid).toBe(c.attrs?.fileid);
  });

  test('a directory into its own subtree is NFS3ERR_INVAL', async () => {
    const p = await h.nfs.mkdir(h.root, 'p');
    const q = await h.nfs.mkdir(p.fh!, 'q');
    expect((await h.nfs.rename(h.root, 'p', q.fh!, 'p')).stat).toBe(Nfs3Stat.NFS3ERR_INVAL);
  });
});
