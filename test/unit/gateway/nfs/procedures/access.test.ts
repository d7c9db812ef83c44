import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ACCESS3_ALL,
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
} from '../../../../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('ACCESS (RFC 1813 §3.3.4)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('a root-owned 0644 file: uid 1000 may read, not modify', async () => {
    await writeFile(join(h.dir, 'theirs'), 'x', { mode: 0o644 });
    const { fh } = await h.nfs.lookup(h.root, 'theirs');
    const res = await h.nfs.access(fh!, ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.access).toBe(ACCESS3_READ);
    expect(res.attrs?.mode).toBe(0o644);
  });

  test('the owner of a file may modify it; only asked bits come back', async () => {
    const made = await h.nfs.create(h.root, 'mine', 1, { mode: 0o600 });
    const res = await h.nfs.access(made.fh!, ACCESS3_MODIFY);
    expect(res.access).toBe(ACCESS3_MODIFY);
  });

  test('a 0777 directory grants lookup, modify, extend and delete', async () => {
    const res = await h.nfs.access(h.root, ACCESS3_ALL);
    const want = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;
    expect(res.access! & want).toBe(want);
  });

  test('a stale handle is NFS3ERR_STALE without attributes', async () => {
    const made = await h.nfs.create(h.root, 'gone', 1);
    await h.nfs.remove(h.root, 'gone');
    const res = await h.nfs.access(made.fh!, ACCESS3_READ);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_STALE);
    expect(res.attrs).toBeUndefined();
  });
});
