import { mkdir } from 'node:fs/promises';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('DUMP, UMNT, UMNTALL (RFC 1813 §5.2.2–§5.2.4)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
    await mkdir(`${h.dir}/sub`);
  });
  afterAll(() => h.close());

  test('a mount is listed under the client’s address; UMNT removes it', async () => {
    expect(await h.mount.dump()).toEqual([]);
    await h.mount.mnt('/export');
    await h.mount.mnt('/export/sub');
    await h.mount.mnt('/export');
    expect(await h.mount.dump()).toEqual([
      { host: '127.0.0.1', dirpath: '/export/sub' },
      { host: '127.0.0.1', dirpath: '/export' },
    ]);
    await h.mount.umnt('/export/');
    expect(await h.mount.dump()).toEqual([{ host: '127.0.0.1', dirpath: '/export/sub' }]);
  });

  test('a failed mount is not listed; UMNT of something never mounted is harmless', async () => {
    await h.mount.mnt('/nope');
    await h.mount.umnt('/never');
    expect((await h.mount.dump()).map((e) => e.dirpath)).not.toContain('/nope');
  });

  test('UMNTALL removes every entry of the caller', async () => {
    await h.mount.mnt('/export');
    expect((await h.mount.dump()).length).toBeGreaterThan(0);
    await h.mount.umntall();
    expect(await h.mount.dump()).toEqual([]);
  });

  test('NULL answers', async () => {
    await expect(h.mount.null()).resolves.toBeUndefined();
  });
});
