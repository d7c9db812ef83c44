import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { libnfsUtilsPresent, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';

/**
 * A 5,000-entry directory takes many READDIRPLUS pages (cookies, cookieverf, eof). A lost,
 * repeated or reordered page shows up here as a wrong count or a wrong set of names.
 */
const N = 5000;
const names = Array.from(
  { length: N },
  (_, i) => `entry-${String(i).padStart(5, '0')}-${'x'.repeat(i % 40)}`,
);

describePeer(
  'a 5,000-entry directory listed by libnfs',
  'libnfs-utils + gcc + libnfs-dev',
  libnfsUtilsPresent && libnfsToolBuildable,
  () => {
    let t: TestHead;
    let nfs: LibnfsTool;

    beforeAll(async () => {
      t = await startTestHead();
      nfs = libnfsTool(t.url);
      await mkdir(join(t.dir, 'big'));
      await chmod(join(t.dir, 'big'), 0o777); // the squashed caller adds an entry below
      for (let i = 0; i < N; i += 250) {
        await Promise.all(names.slice(i, i + 250).map((n) => writeFile(join(t.dir, 'big', n), '')));
      }
    });
    afterAll(() => t?.close());

    test('nfs-ls prints every entry exactly once', async () => {
      const listed = (await nfsLs(urlOf(t.url, '/big'))).map((e) => e.name);
      expect(listed.length).toBe(N);
      expect(new Set(listed).size).toBe(N);
      expect([...listed].sort()).toEqual(names);
    });

    test('libnfs opendir/readdir sees the same names and each its own fileid', async () => {
      const listed = (await nfs.ls('/big')).filter((e) => e.name !== '.' && e.name !== '..');
      expect(listed.map((e) => e.name).sort()).toEqual(names);
      expect(new Set(listed.map((e) => e.ino)).size).toBe(N);
      expect(listed.every((e) => e.type === 1 && e.size === 0)).toBe(true);
    });

    test('a second listing (warm cache) is the same, and an entry added through NFS joins it', async () => {
      expect((await nfsLs(urlOf(t.url, '/big'))).length).toBe(N);
      await nfs.creat('/big/zz-added', 0o600);
      await nfs.unlink(`/big/${names[17]}`);
      const listed = (await nfsLs(urlOf(t.url, '/big'))).map((e) => e.name);
      expect(listed.length).toBe(N);
      expect(listed).toContain('zz-added');
      expect(listed).not.toContain(names[17]);
    });
  },
);
