import { lstat, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALICE, BOB, expectCode, ROOT, useExport } from './fixture';

const ns = (t: { sec: number; nsec: number }) => BigInt(t.sec) * 10n ** 9n + BigInt(t.nsec);

describe('PosixBackend setattr', () => {
  const fx = useExport();

  async function aliceFile(mode = 0o644): Promise<bigint> {
    return (await fx.be.create(fx.be.rootIno, 'f', { mode }, ALICE)).attrs.fileid;
  }

  test('chmod, chown and truncate, with wcc before = pre-op and after = post-op', async () => {
    const ino = await aliceFile();
    await fx.be.write(ino, 0, Buffer.from('hello world'), 'unstable');
    const pre = await stat(join(fx.dir, 'f'), { bigint: true });
    const w = await fx.be.setattr(ino, { mode: 0o600, uid: 1234, gid: 5678, size: 5 }, ROOT);
    expect(w.before).toEqual({
      size: 11,
      mtime: { sec: Number(pre.mtimeNs / 10n ** 9n), nsec: Number(pre.mtimeNs % 10n ** 9n) },
      ctime: { sec: Number(pre.ctimeNs / 10n ** 9n), nsec: Number(pre.ctimeNs % 10n ** 9n) },
    });
    expect(w.after).toMatchObject({ mode: 0o600, uid: 1234, gid: 5678, size: 5 });
    const st = await lstat(join(fx.dir, 'f'));
    expect([st.mode & 0o7777, st.uid, st.gid, st.size]).toEqual([0o600, 1234, 5678, 5]);
    expect(await readFile(join(fx.dir, 'f'), 'utf8')).toBe('hello');
  });

  test('truncate can also grow a file (with zeros)', async () => {
    const ino = await aliceFile();
    await fx.be.setattr(ino, { size: 3 }, ROOT);
    expect(await readFile(join(fx.dir, 'f'))).toEqual(Buffer.alloc(3));
  });

  test('set-ID bits survive a chown when mode is set in the same call (mode applied after)', async () => {
    const ino = await aliceFile();
    const w = await fx.be.setattr(ino, { uid: 2000, mode: 0o4755 }, ROOT);
    expect(w.after!.mode).toBe(0o4755);
  });

  test('explicit times are stored (to the microsecond)', async () => {
    const ino = await aliceFile();
    const atime = { sec: 1_000_000_000, nsec: 123_456_000 };
    const mtime = { sec: 1_200_000_000, nsec: 987_654_000 };
    const w = await fx.be.setattr(ino, { atime, mtime }, ALICE);
    expect(w.after!.atime).toEqual(atime);
    expect(w.after!.mtime).toEqual(mtime);
    const st = await lstat(join(fx.dir, 'f'), { bigint: true });
    expect(st.mtimeNs).toBe(ns(mtime));
  });

  test('any microsecond time round-trips exactly through Node and libuv', async () => {
    const ino = await aliceFile();
    for (let i = 0; i < 50; i++) {
      const t = {
        sec: 1_000_000_000 + Math.floor(Math.random() * 1_100_000_000),
        nsec: Math.floor(Math.random() * 1e6) * 1000,
      };
      expect((await fx.be.setattr(ino, { mtime: t }, ROOT)).after!.mtime).toEqual(t);
    }
  });

  test("'server' time is the server's now; the time not set keeps its seconds", async () => {
    const ino = await aliceFile();
    await fx.be.setattr(
      ino,
      { atime: { sec: 1_000_000_000, nsec: 0 }, mtime: { sec: 1_000_000_000, nsec: 0 } },
      ROOT,
    );
    const before = Date.now();
    const w = await fx.be.setattr(ino, { mtime: 'server' }, ROOT);
    expect(w.after!.mtime.sec * 1000).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(w.after!.mtime.sec * 1000).toBeLessThanOrEqual(Date.now() + 1000);
    expect(w.after!.atime).toEqual({ sec: 1_000_000_000, nsec: 0 });
  });

  test('a size change followed by explicit atime keeps the new mtime from the truncate', async () => {
    const ino = await aliceFile();
    await fx.be.setattr(ino, { mtime: { sec: 1_000_000_000, nsec: 0 } }, ROOT);
    const w = await fx.be.setattr(ino, { size: 10, atime: { sec: 1_100_000_000, nsec: 0 } }, ROOT);
    expect(w.after!.mtime.sec).toBeGreaterThan(1_600_000_000);
  });

  test('RFC 1813 §3.3.2 guard: a matching ctime applies, another ctime is ENOTSYNC and changes nothing', async () => {
    const ino = await aliceFile(0o644);
    const a = await fx.be.getattr(ino);
    await expectCode(
      fx.be.setattr(ino, { mode: 0o600 }, ROOT, { sec: a.ctime.sec, nsec: a.ctime.nsec + 1 }),
      'ENOTSYNC',
    );
    expect((await fx.be.getattr(ino)).mode).toBe(0o644);
    const w = await fx.be.setattr(ino, { mode: 0o600 }, ROOT, a.ctime);
    expect(w.after!.mode).toBe(0o600);
  });

  test('truncate of a directory is EISDIR; of a FIFO EINVAL; bad values EINVAL', async () => {
    await expectCode(fx.be.setattr(fx.be.rootIno, { size: 0 }, ROOT), 'EISDIR');
    const p = await fx.be.mknod(fx.be.rootIno, 'p', 'fifo', 0o644, { major: 0, minor: 0 }, ROOT);
    await expectCode(fx.be.setattr(p.attrs.fileid, { size: 0 }, ROOT), 'EINVAL');
    const ino = await aliceFile();
    await expectCode(fx.be.setattr(ino, { size: -1 }, ROOT), 'EINVAL');
    await expectCode(fx.be.setattr(ino, { mtime: { sec: -5, nsec: 0 } }, ROOT), 'EINVAL');
    await expectCode(fx.be.setattr(ino, { mtime: { sec: 5, nsec: 1e9 } }, ROOT), 'EINVAL');
  });

  test('chmod of a FIFO and a socket works (through an O_PATH descriptor)', async () => {
    const p = await fx.be.mknod(fx.be.rootIno, 'p', 'fifo', 0o644, { major: 0, minor: 0 }, ROOT);
    expect((await fx.be.setattr(p.attrs.fileid, { mode: 0o600 }, ROOT)).after!.mode).toBe(0o600);
    const s = await fx.be.mknod(fx.be.rootIno, 's', 'sock', 0o644, { major: 0, minor: 0 }, ROOT);
    expect((await fx.be.setattr(s.attrs.fileid, { mode: 0o640, uid: 7 }, ROOT)).after).toMatchObject({
      mode: 0o640,
      uid: 7,
    });
  });

  test('a symlink: owner and times change on the link itself; mode is ignored; the target is untouched', async () => {
    await writeFile(join(fx.outside, 'target'), 'secret', { mode: 0o600 });
    await symlink(join(fx.outside, 'target'), join(fx.dir, 'l'));
    const l = await fx.be.lookup(fx.be.rootIno, 'l');
    const w = await fx.be.setattr(
      l.fileid,
      { uid: 4321, gid: 4321, mode: 0o777, mtime: { sec: 1_000_000_000, nsec: 0 } },
      ROOT,
    );
    expect(w.after).toMatchObject({ uid: 4321, gid: 4321, mtime: { sec: 1_000_000_000, nsec: 0 } });
    const target = await lstat(join(fx.outside, 'target'));
    expect([target.uid, target.mode & 0o7777]).toEqual([0, 0o600]);
    expect(target.mtimeMs).toBeGreaterThan(1_600_000_000_000);
    await expectCode(fx.be.setattr(l.fileid, { size: 0 }, ROOT), 'EINVAL');
  });

  describe('POSIX permission rules for callers other than root', () => {
    test('only root changes the owner (EPERM)', async () => {
      const ino = await aliceFile();
      await expectCode(fx.be.setattr(ino, { uid: BOB.uid }, ALICE), 'EPERM');
      expect((await fx.be.getattr(ino)).uid).toBe(ALICE.uid);
    });

    test('the owner may chgrp to a group of its own, not to another (EPERM)', async () => {
      const ino = await aliceFile();
      expect((await fx.be.setattr(ino, { gid: 3000 }, ALICE)).after!.gid).toBe(3000);
      await expectCode(fx.be.setattr(ino, { gid: 4000 }, ALICE), 'EPERM');
    });

    test('only the owner changes the mode or sets explicit times (EPERM)', async () => {
      const ino = await aliceFile(0o666);
      await expectCode(fx.be.setattr(ino, { mode: 0o777 }, BOB), 'EPERM');
      await expectCode(fx.be.setattr(ino, { mtime: { sec: 1, nsec: 0 } }, BOB), 'EPERM');
      expect((await fx.be.setattr(ino, { mode: 0o600 }, ALICE)).after!.mode).toBe(0o600);
    });

    test("touching times to 'server' needs ownership or write permission (EACCES)", async () => {
      const ino = await aliceFile(0o644);
      await expectCode(fx.be.setattr(ino, { mtime: 'server' }, BOB), 'EACCES');
      await fx.be.setattr(ino, { mode: 0o646 }, ALICE);
      await fx.be.setattr(ino, { mtime: 'server', atime: 'server' }, BOB);
    });

    test('truncate needs write permission, or ownership (knfsd owner override)', async () => {
      const ino = await aliceFile(0o444);
      await expectCode(fx.be.setattr(ino, { size: 0 }, BOB), 'EACCES');
      expect((await fx.be.setattr(ino, { size: 1 }, ALICE)).after!.size).toBe(1);
    });

    test('chmod by a non-member owner drops set-group-ID', async () => {
      const ino = await aliceFile();
      await fx.be.setattr(ino, { gid: 9999 }, ROOT);
      expect((await fx.be.setattr(ino, { mode: 0o2755 }, ALICE)).after!.mode).toBe(0o755);
      expect((await fx.be.setattr(ino, { mode: 0o2755 }, ROOT)).after!.mode).toBe(0o2755);
    });
  });
});
