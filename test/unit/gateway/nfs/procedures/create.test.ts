import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

const UNCHECKED = 0;
const GUARDED = 1;
const EXCLUSIVE = 2;

describe('CREATE (RFC 1813 §3.3.8)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('GUARDED creates: handle, attributes with the mode and caller, parent wcc', async () => {
    const res = await h.nfs.create(h.root, 'g1', GUARDED, { mode: 0o640 });
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.attrs).toMatchObject({ type: FileType.REG, mode: 0o640, uid: 1000, size: 0 });
    expect(res.dirWcc?.before).toBeDefined();
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
    expect((await h.nfs.getattr(res.fh!)).attrs?.fileid).toBe(res.attrs?.fileid);
    expect((await stat(join(h.dir, 'g1'))).mode & 0o7777).toBe(0o640);
  });

  test('GUARDED over an existing name is NFS3ERR_EXIST, with the parent’s wcc data', async () => {
    await h.nfs.create(h.root, 'g2', GUARDED);
    const res = await h.nfs.create(h.root, 'g2', GUARDED);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
    expect(res.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
  });

  test('UNCHECKED over an existing file opens it; size 0 truncates', async () => {
    await writeFile(join(h.dir, 'u1'), 'content');
    await chmod(join(h.dir, 'u1'), 0o666);
    const keep = await h.nfs.create(h.root, 'u1', UNCHECKED, { mode: 0o644 });
    expect(keep.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(await readFile(join(h.dir, 'u1'), 'utf8')).toBe('content');
    const cut = await h.nfs.create(h.root, 'u1', UNCHECKED, { mode: 0o644, size: 0 });
    expect(cut.attrs?.size).toBe(0);
    expect(cut.attrs?.fileid).toBe(keep.attrs?.fileid);
  });

  test('EXCLUSIVE: a retransmission with the same verifier succeeds, another verifier is EXIST', async () => {
    const verf = Buffer.from('01234567');
    const first = await h.nfs.create(h.root, 'x1', EXCLUSIVE, {}, verf);
    expect(first.stat).toBe(Nfs3Stat.NFS3_OK);
    const again = await h.nfs.create(h.root, 'x1', EXCLUSIVE, {}, verf);
    expect(again.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(again.attrs?.fileid).toBe(first.attrs?.fileid);
    const other = await h.nfs.create(h.root, 'x1', EXCLUSIVE, {}, Buffer.from('76543210'));
    expect(other.stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
  });

  test("'.' as a name is NFS3ERR_EXIST; in a missing directory it is STALE", async () => {
    expect((await h.nfs.create(h.root, '.', GUARDED)).stat).toBe(Nfs3Stat.NFS3ERR_EXIST);
    const dir = await h.nfs.mkdir(h.root, 'tmpdir');
    await h.nfs.rmdir(h.root, 'tmpdir');
    const res = await h.nfs.create(dir.fh!, 'f', GUARDED);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_STALE);
    expect(res.dirWcc).toEqual({ before: undefined, after: undefined });
  });
});
