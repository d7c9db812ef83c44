import { readdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';

/**
 * File names as a POSIX directory holds them: any bytes but '/' and NUL, up to 255 of them.
 * Through libnfs each must list, read, and be made by name exactly as on disk. A name that is
 * not UTF-8 (a Latin-1 file from an old system) must not vanish from listings: a client that
 * cannot see it cannot delete it, and its directory then "is not empty" yet lists empty.
 */
const NAMES: readonly string[] = [
  'plain.txt',
  'with space',
  'héllo wörld ☃.txt',
  '-leading-dash',
  'quote\'"and\\backslash',
  'x'.repeat(255),
  '.hidden',
  '日本語のファイル名',
];

/** Test titles: the name, or its shape when it is long. */
const label = (n: string) => (n.length > 40 ? `${n.slice(0, 4)}…(${n.length} bytes)` : n);

describePeer('odd file names through libnfs', 'gcc + libnfs-dev', libnfsToolBuildable, () => {
  let t: TestHead;
  let nfs: LibnfsTool;

  beforeAll(async () => {
    t = await startTestHead();
    nfs = libnfsTool(t.url);
  });
  afterAll(() => t?.close());

  // Each in a directory of its own, made on disk: a listing the gateway has not cached yet
  // (nothing watches the export for changes made outside it).
  test.each(NAMES.map((n, i) => [label(n), n, i] as const))(
    '%s made on disk lists and reads back through libnfs',
    async (_label, name, i) => {
      await mkdir(join(t.dir, `d${i}`));
      await writeFile(join(t.dir, `d${i}`, name), `content of ${name}`);
      expect((await nfs.ls(`/d${i}`)).map((e) => e.name).sort()).toEqual(['.', '..', name].sort());
      expect((await nfs.cat(`/d${i}/${name}`)).toString()).toBe(`content of ${name}`);
    },
  );

  test.each(NAMES.map((n) => `new ${n}`.slice(0, 255)).map((n) => [label(n), n] as const))(
    '%s made through libnfs is that name on disk',
    async (_label, name) => {
      await nfs.mkdir('/made', 0o777).catch(() => {});
      await nfs.creat(`/made/${name}`, 0o644);
      await nfs.write(`/made/${name}`, 0, 'ok');
      expect(readdirSync(join(t.dir, 'made'))).toContain(name);
      expect(await readFile(join(t.dir, 'made', name), 'utf8')).toBe('ok');
    },
  );

  test('a 256-byte name is refused (NFS3ERR_NAMETOOLONG), nothing made', async () => {
    await expect(nfs.creat(`/${'y'.repeat(256)}`)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });

  test('a name that is not UTF-8 still lists (names are bytes)', async () => {
    await nfs.mkdir('/latin1', 0o777);
    const raw = Buffer.concat([
      Buffer.from(`${join(t.dir, 'latin1')}/`),
      Buffer.from('caf\xe9.txt', 'latin1'),
    ]);
    writeFileSync(raw, 'legacy');
    expect(readdirSync(join(t.dir, 'latin1'), { encoding: 'buffer' })).toHaveLength(1);
    const listed = (await nfs.ls('/latin1')).filter((e) => e.name !== '.' && e.name !== '..');
    expect(listed).toHaveLength(1);
    expect(listed[0]!.name).toMatch(/^caf.+\.txt$/);
    expect(listed[0]!.size).toBe(6);
  });
});
