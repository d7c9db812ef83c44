import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';
import { startTwoFrontends, type TwoFrontends } from '../helpers/two-frontends';

/**
 * More of coherence.test.ts's pattern — warm B, change through A, B's next answer is the new
 * one — for the rest of the fop table: truncate, utimes, link / unlink of one of two names
 * (NLINK), a directory's own times after a create in it (PARENT_TIMES), mkdir / rmdir, and a
 * rename between directories. B's cache lives a minute: only an upcall can refresh it in time.
 */
describePeer('two frontends: the rest of the fop table', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let two: TwoFrontends;
  let a: LibnfsTool;
  let b: LibnfsTool;
  /** Stats through B twice (the second from its cache) and returns the answer. */
  const warm = async (path: string) => {
    await b.stat(path);
    return b.stat(path);
  };

  beforeAll(async () => {
    two = await startTwoFrontends({
      upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
      cacheTtlMs: 60_000,
    });
    a = libnfsTool(two.a.url);
    b = libnfsTool(two.b.url);
  });
  afterAll(() => two?.close());

  test('truncate through A (SETATTR size): B answers the new size', async () => {
    await a.creat('/t', 0o666);
    await a.write('/t', 0, 'x'.repeat(5000));
    for (const size of [4000, 10, 70_000, 0]) {
      await warm('/t');
      await a.truncate('/t', size);
      expect((await b.stat('/t')).size).toBe(size);
    }
  });

  test('utimes through A (SETATTR times): B answers the new mtime', async () => {
    await a.creat('/times', 0o644);
    for (const mtime of [1_000_000_000, 1_500_000_000, 1_700_000_000]) {
      await warm('/times');
      await a.utimes('/times', mtime, mtime);
      expect((await b.stat('/times')).mtime).toBe(mtime);
    }
  });

  test('link and unlink of a second name through A: B answers the new link count', async () => {
    await a.creat('/orig', 0o644);
    for (let i = 0; i < 3; i++) {
      expect((await warm('/orig')).nlink).toBe(1);
      await expect(b.stat(`/alias${i}`)).rejects.toMatchObject({ code: 'ENOENT' }); // negative entry
      await a.link('/orig', `/alias${i}`);
      expect((await b.stat('/orig')).nlink).toBe(2);
      expect((await warm(`/alias${i}`)).nlink).toBe(2);
      await a.unlink(`/alias${i}`);
      expect((await b.stat('/orig')).nlink).toBe(1);
      await expect(b.stat(`/alias${i}`)).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  test("a create through A moves the directory's mtime as B reports it", async () => {
    await a.mkdir('/pt', 0o777);
    await a.utimes('/pt', 1_000_000_000, 1_000_000_000);
    for (let i = 0; i < 3; i++) {
      const before = await warm('/pt');
      await a.creat(`/pt/f${i}`, 0o644);
      const after = await b.stat('/pt');
      expect(after.mtime * 1e9 + after.mtimeNsec).toBeGreaterThan(before.mtime * 1e9 + before.mtimeNsec);
    }
  });

  test('mkdir and rmdir through A: B finds and loses the directory at once', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(b.stat(`/sub${i}`)).rejects.toMatchObject({ code: 'ENOENT' });
      await b.ls('/');
      await a.mkdir(`/sub${i}`, 0o750);
      expect((await b.stat(`/sub${i}`)).mode & 0o7777).toBe(0o750);
      expect((await b.ls('/')).map((e) => e.name)).toContain(`sub${i}`);
      await a.rmdir(`/sub${i}`);
      await expect(b.stat(`/sub${i}`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await b.ls('/')).map((e) => e.name)).not.toContain(`sub${i}`);
    }
  });

  test('rename between directories through A: B lists both directories afresh', async () => {
    await a.mkdir('/from', 0o777);
    await a.mkdir('/to', 0o777);
    await a.creat('/from/wanderer', 0o644);
    for (const [src, dst] of [
      ['/from', '/to'],
      ['/to', '/from'],
    ]) {
      expect((await b.ls(src!)).map((e) => e.name)).toContain('wanderer');
      expect((await b.ls(dst!)).map((e) => e.name)).not.toContain('wanderer');
      await b.stat(`${src}/wanderer`);
      await a.rename(`${src}/wanderer`, `${dst}/wanderer`);
      expect((await b.ls(src!)).map((e) => e.name)).not.toContain('wanderer');
      expect((await b.ls(dst!)).map((e) => e.name)).toContain('wanderer');
      await expect(b.stat(`${src}/wanderer`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await b.stat(`${dst}/wanderer`)).size).toBe(0);
    }
  });
});
