import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('LOOKUP (RFC 1813 §3.3.3)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
    await mkdir(join(h.dir, 'sub'));
    await writeFile(join(h.dir, 'sub', 'file'), 'abc');
  });
  afterAll(() => h.close());

  test('finds a name: handle, its attributes, the directory’s attributes', async () => {
    const sub = await h.nfs.lookup(h.root, 'sub');
    expect(sub.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(sub.attrs?.type).toBe(FileType.DIR);
    expect(sub.dirAttrs?.fileid).toBe(h.backend.rootIno);
    const file = await h.nfs.lookup(sub.fh!, 'file');
    expect(file.attrs?.size).toBe(3);
    expect((await h.nfs.getattr(file.fh!)).attrs?.fileid).toBe(file.attrs?.fileid);
  });

  test('a missing name is NFS3ERR_NOENT and still carries the directory’s attributes', async () => {
    const res = await h.nfs.lookup(h.root, 'nope');
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
    expect(res.dirAttrs?.fileid).toBe(h.backend.rootIno);
  });

  test("'..' of the export root is the root; '..' of a subdirectory its parent", async () => {
    const up = await h.nfs.lookup(h.root, '..');
    expect(up.attrs?.fileid).toBe(h.backend.rootIno);
    const sub = await h.nfs.lookup(h.root, 'sub');
    const back = await h.nfs.lookup(sub.fh!, '..');
    expect(back.attrs?.fileid).toBe(h.backend.rootIno);
    expect((await h.nfs.lookup(sub.fh!, '.')).attrs?.fileid).toBe(sub.attrs?.fileid);
  });

  test('256 bytes of name is NFS3ERR_NAMETOOLONG; a name with / is NFS3ERR_ACCES', async () => {
    expect((await h.nfs.lookup(h.root, 'x'.repeat(256))).stat).toBe(Nfs3Stat.NFS3ERR_NAMETOOLONG);
    expect((await h.nfs.lookup(h.root, 'sub/file')).stat).toBe(Nfs3Stat.NFS3ERR_ACCES);
  });

  test('looking up inside a file is NFS3ERR_NOTDIR', async () => {
    const sub = await h.nfs.lookup(h.root, 'sub');
    const file = await h.nfs.lookup(sub.fh!, 'file');
    expect((await h.nfs.lookup(file.fh!, 'x')).stat).toBe(Nfs3Stat.NFS3ERR_NOTDIR);
  });
});
