import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultIdentity, startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';

/**
 * Root squash with a real client. libnfs sends AUTH_SYS with its process's uid/gid unless the
 * URL says `uid=`/`gid=`; CI and these machines run tests as root, so its default identity is
 * uid 0 — squashed to 65534 by default, kept as 0 with `rootSquash: false`.
 * Handing a file to another owner needs the gateway itself to run as root.
 */
const gatewayIsRoot = process.getuid?.() === 0;
const rootOnly = gatewayIsRoot ? test : test.skip;

describePeer('root squash with libnfs', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let squash: TestHead;
  let noSquash: TestHead;
  let nfs: LibnfsTool;
  const asRoot = { uid: 0, gid: 0 };
  const owner = async (t: TestHead, p: string) => {
    const s = await stat(join(t.dir, p));
    return { uid: s.uid, gid: s.gid };
  };

  beforeAll(async () => {
    squash = await startTestHead();
    noSquash = await startTestHead({ rootSquash: false });
    nfs = libnfsTool(squash.url);
  });
  afterAll(async () => {
    await squash?.close();
    await noSquash?.close();
  });

  test("libnfs's default identity (its process uid) is mapped as the export says", async () => {
    await nfs.creat('/default-id', 0o644);
    expect(await owner(squash, 'default-id')).toEqual(defaultIdentity(true));
    if (gatewayIsRoot) expect(await owner(squash, 'default-id')).toEqual({ uid: 65534, gid: 65534 });
  });

  rootOnly('AUTH_SYS uid 0 creates files owned by 65534:65534 on a squashing export', async () => {
    await nfs.as(asRoot).creat('/by-root', 0o644);
    await nfs.as(asRoot).mkdir('/dir-by-root', 0o755);
    await nfs.as(asRoot).symlink('target', '/ln-by-root');
    for (const p of ['by-root', 'dir-by-root'])
      expect(await owner(squash, p)).toEqual({ uid: 65534, gid: 65534 });
    expect((await nfs.as(asRoot).lstat('/ln-by-root')).uid).toBe(65534);
  });

  rootOnly('a squashed root may not give a file away or touch root-owned files', async () => {
    await writeFile(join(squash.dir, 'roots'), 'x'); // owned by the real root
    await expect(nfs.as(asRoot).chmod('/roots', 0o777)).rejects.toMatchObject({ code: 'EPERM' });
    await expect(nfs.as(asRoot).chown('/roots', 65534, 65534)).rejects.toMatchObject({ code: 'EPERM' });
    await expect(nfs.as(asRoot).truncate('/roots', 0)).rejects.toMatchObject({ code: 'EACCES' });
    await nfs.as(asRoot).creat('/squashed-own', 0o644);
    await expect(nfs.as(asRoot).chown('/squashed-own', 0, 0)).rejects.toMatchObject({ code: 'EPERM' });
    expect(await owner(squash, 'roots')).toEqual({ uid: 0, gid: 0 });
  });

  rootOnly('without root squash uid 0 stays root: owns what it creates and may chown', async () => {
    const root = libnfsTool(noSquash.url).as(asRoot);
    await root.creat('/rooted', 0o600);
    expect(await owner(noSquash, 'rooted')).toEqual({ uid: 0, gid: 0 });
    await root.chown('/rooted', 1234, 5678);
    expect(await owner(noSquash, 'rooted')).toEqual({ uid: 1234, gid: 5678 });
    expect((await root.stat('/rooted')).uid).toBe(1234);
  });

  test('a non-root uid passes through unchanged on both exports', async () => {
    await nfs.as({ uid: 1000, gid: 1000 }).creat('/u1000', 0o644);
    await libnfsTool(noSquash.url).as({ uid: 1000, gid: 1000 }).creat('/u1000', 0o644);
    if (gatewayIsRoot) {
      expect(await owner(squash, 'u1000')).toEqual({ uid: 1000, gid: 1000 });
      expect(await owner(noSquash, 'u1000')).toEqual({ uid: 1000, gid: 1000 });
    }
  });
});
