import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MountStat3 } from '../../../../gateway/mount/mount3-status';
import {
  ACCESS3_ALL,
  ACCESS3_DELETE,
  ACCESS3_EXTEND,
  ACCESS3_MODIFY,
} from '../../../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../../../gateway/nfs/nfs3-status';
import { type Nfs3Harness, startNfs3 } from '../../../helpers/nfs3-server';

const ROOT = { stamp: 1, machine: 'm', uid: 0, gid: 0, gids: [0] };

describe('a read-only export (RFC 1813 §2.6 NFS3ERR_ROFS)', () => {
  let h: Nfs3Harness;
  let file: Buffer;
  beforeAll(async () => {
    h = await startNfs3({ export: { readOnly: true } });
    // Made behind the export's back: the backend itself is writable, only the export is not.
    await writeFile(join(h.dir, 'f'), 'data');
    file = (await h.nfs.lookup(h.root, 'f')).fh!;
  });
  afterAll(() => h.close());

  test('every modifying procedure is NFS3ERR_ROFS, with wcc data of its directory or file', async () => {
    const results = {
      setattr: await h.nfs.setattr(file, { mode: 0o600 }),
      write: await h.nfs.write(file, 0, Buffer.from('x')),
      create: await h.nfs.create(h.root, 'n', 1),
      mkdir: await h.nfs.mkdir(h.root, 'n'),
      symlink: await h.nfs.symlink(h.root, 'n', 't'),
      mknod: await h.nfs.mknod(h.root, 'n', 7),
      remove: await h.nfs.remove(h.root, 'f'),
      rmdir: await h.nfs.rmdir(h.root, 'f'),
      rename: await h.nfs.rename(h.root, 'f', h.root, 'g'),
      link: await h.nfs.link(file, h.root, 'g'),
    };
    for (const [name, res] of Object.entries(results)) {
      expect({ name, stat: Nfs3Stat[res.stat] }).toEqual({ name, stat: 'NFS3ERR_ROFS' });
    }
    expect(results.write.wcc?.after?.size).toBe(4);
    expect(results.create.dirWcc?.after?.fileid).toBe(h.backend.rootIno);
    expect(results.rename.toWcc?.after?.fileid).toBe(h.backend.rootIno);
    expect((await stat(join(h.dir, 'f'))).size).toBe(4);
  });

  test('reads still work, and ACCESS never grants MODIFY, EXTEND or DELETE', async () => {
    expect((await h.nfs.read(file, 0, 10)).data?.toString()).toBe('data');
    h.nfs.auth = ROOT;
    const acc = await h.nfs.access(h.root, ACCESS3_ALL);
    h.nfs.auth = { stamp: 1, machine: 'test', uid: 1000, gid: 1000, gids: [1000] };
    expect(acc.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(acc.access! & (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE)).toBe(0);
  });

  test('COMMIT is allowed (it changes nothing)', async () => {
    expect((await h.nfs.commit(file)).stat).toBe(Nfs3Stat.NFS3_OK);
  });
});

describe('client address lists', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3({ export: { allowed: ['10.0.0.0/8', 'fd00::/8'] } });
  });
  afterAll(() => h.close());

  test('a client outside the list gets MNT3ERR_ACCES at mount', async () => {
    expect((await h.mount.mnt('/export')).stat).toBe(MountStat3.MNT3ERR_ACCES);
    expect(await h.mount.dump()).toEqual([]);
  });

  test('and NFS3ERR_ACCES, with no attributes, on a handle it got elsewhere', async () => {
    const res = await h.nfs.getattr(h.root);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_ACCES);
    const lk = await h.nfs.lookup(h.root, '.');
    expect(lk.stat).toBe(Nfs3Stat.NFS3ERR_ACCES);
    expect(lk.dirAttrs).toBeUndefined();
  });

  test('NULL still answers', async () => {
    await expect(h.nfs.null()).resolves.toBeUndefined();
  });
});

describe('credentials: root squash and AUTH_NONE', () => {
  let h: Nfs3Harness;
  let open: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
    open = await startNfs3({ export: { rootSquash: false } });
  });
  afterAll(async () => {
    await h.close();
    await open.close();
  });

  test('AUTH_SYS root is squashed to 65534 by default', async () => {
    h.nfs.auth = ROOT;
    const res = await h.nfs.create(h.root, 'by-root', 1);
    expect(res.attrs).toMatchObject({ uid: 65534, gid: 65534 });
    expect((await stat(join(h.dir, 'by-root'))).uid).toBe(65534);
  });

  test('AUTH_NONE is the anonymous user', async () => {
    h.nfs.auth = null;
    const res = await h.nfs.mkdir(h.root, 'by-nobody');
    expect(res.attrs).toMatchObject({ uid: 65534, gid: 65534 });
  });

  test('AUTH_SYS ids pass through for others', async () => {
    h.nfs.auth = { stamp: 1, machine: 'm', uid: 4321, gid: 1234, gids: [] };
    expect((await h.nfs.create(h.root, 'by-4321', 1)).attrs).toMatchObject({ uid: 4321, gid: 1234 });
  });

  test('with rootSquash false root stays root', async () => {
    open.nfs.auth = ROOT;
    expect((await open.nfs.create(open.root, 'by-real-root', 1)).attrs).toMatchObject({ uid: 0, gid: 0 });
  });
});
