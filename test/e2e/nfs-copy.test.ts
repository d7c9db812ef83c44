import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { libnfsUtilsPresent, nfsCat, nfsCp, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';

/**
 * The stock libnfs clients against the gateway: nfs-ls lists what is on disk, nfs-cp moves
 * 9 MiB of random bytes in and out unchanged — many 1 MiB WRITEs and READs per file, each
 * record larger than a TCP segment, so multi-segment records and the many-call paths run.
 */
describePeer('nfs-ls, nfs-cp and nfs-cat against the gateway', 'libnfs-utils', libnfsUtilsPresent, () => {
  let t: TestHead;
  let local: string;

  beforeAll(async () => {
    t = await startTestHead({ upcall: { 'features.cache-invalidation': true } });
    local = await mkdtemp(join(tmpdir(), 'upcall-e2e-local-'));
  });
  afterAll(async () => {
    await t?.close();
    if (local) await rm(local, { recursive: true, force: true });
  });

  test('nfs-ls lists the export as it is on disk', async () => {
    await writeFile(join(t.dir, 'hello.txt'), 'hello\n');
    await writeFile(join(t.dir, 'seven.bin'), Buffer.alloc(7));
    const entries = await nfsLs(t.url);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect([...byName.keys()].sort()).toEqual(['hello.txt', 'seven.bin']);
    expect(byName.get('hello.txt')!.size).toBe(6);
    expect(byName.get('seven.bin')!.size).toBe(7);
    expect(byName.get('hello.txt')!.uid).toBe((await stat(join(t.dir, 'hello.txt'))).uid);
  });

  test('a 9 MiB random file copied in with nfs-cp is byte-identical on disk', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const src = join(local, 'in.bin');
    await writeFile(src, data);
    await nfsCp(src, urlOf(t.url, '/in.bin'));
    const onDisk = await readFile(join(t.dir, 'in.bin'));
    expect(onDisk.length).toBe(data.length);
    expect(onDisk.equals(data)).toBe(true);
  });

  test('a 9 MiB random file copied out with nfs-cp and nfs-cat is byte-identical', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 77);
    await writeFile(join(t.dir, 'out.bin'), data);
    const dst = join(local, 'out.bin');
    await nfsCp(urlOf(t.url, '/out.bin'), dst);
    expect((await readFile(dst)).equals(data)).toBe(true);
    const cat = await nfsCat(urlOf(t.url, '/out.bin'));
    expect(cat.length).toBe(data.length);
    expect(cat.equals(data)).toBe(true);
  });

  test('nfs-cp onto an existing name is refused (it sends GUARDED CREATE: NFS3ERR_EXIST), file untouched', async () => {
    const before = randomBytes(64 * 1024);
    await writeFile(join(t.dir, 'keep.bin'), before);
    const src = join(local, 'keep-src.bin');
    await writeFile(src, randomBytes(1000));
    await expect(nfsCp(src, urlOf(t.url, '/keep.bin'))).rejects.toThrow(/NFS3ERR_EXIST/);
    expect((await readFile(join(t.dir, 'keep.bin'))).equals(before)).toBe(true);
  });

  test('an empty file copies both ways', async () => {
    await writeFile(join(t.dir, 'empty'), '');
    const dst = join(local, 'empty-out');
    await nfsCp(urlOf(t.url, '/empty'), dst);
    expect((await stat(dst)).size).toBe(0);
    expect((await nfsCat(urlOf(t.url, '/empty'))).length).toBe(0);
  });

  test('six clients copying at once each get their own bytes back', async () => {
    const datas = Array.from({ length: 6 }, () => randomBytes(2 * 1024 * 1024 + 11));
    await Promise.all(datas.map((d, i) => writeFile(join(local, `par${i}`), d)));
    await Promise.all(datas.map((_, i) => nfsCp(join(local, `par${i}`), urlOf(t.url, `/par${i}`))));
    for (const [i, d] of datas.entries())
      expect((await readFile(join(t.dir, `par${i}`))).equals(d)).toBe(true);
    const back = await Promise.all(datas.map((_, i) => nfsCat(urlOf(t.url, `/par${i}`))));
    for (const [i, d] of datas.entries()) expect(back[i]!.equals(d)).toBe(true);
  });

  test('nfs-cat of a missing file fails', async () => {
    await expect(nfsCat(urlOf(t.url, '/no-such-file'))).rejects.toThrow(/nfs-cat failed/);
  });
});
