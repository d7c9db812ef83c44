import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { READDIR_FIXED } from '../../../../../gateway/nfs/procedures/readdir';
import { ZERO_VERF } from '../../../../helpers/nfs3-calls';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('READDIR (RFC 1813 §3.3.16)', () => {
  let h: Nfs3Harness;
  const names = Array.from({ length: 40 }, (_, i) => `file-${String(i).padStart(3, '0')}`);
  beforeAll(async () => {
    h = await startNfs3();
    for (const n of names) await writeFile(join(h.dir, n), n);
  });
  afterAll(() => h.close());

  test('lists every name with fileids, "." and ".." first, eof on the last page', async () => {
    const res = await h.nfs.readdir(h.root);
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.eof).toBe(true);
    expect(res.entries!.map((e) => e.name)).toEqual(['.', '..', ...names]);
    const one = res.entries!.find((e) => e.name === 'file-007')!;
    expect((await h.nfs.lookup(h.root, 'file-007')).attrs?.fileid).toBe(one.fileid);
    expect(res.dirAttrs?.fileid).toBe(h.backend.rootIno);
  });

  test('count bounds every reply; cookies continue where the last page stopped', async () => {
    const count = 512;
    const seen: string[] = [];
    let cookie = 0n;
    let verf: Buffer = ZERO_VERF;
    for (let page = 0; page < 100; page++) {
      const res = await h.nfs.readdir(h.root, cookie, verf, count);
      expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
      expect(h.nfs.lastReplyBytes).toBeLessThanOrEqual(count);
      seen.push(...res.entries!.map((e) => e.name));
      if (res.eof) break;
      cookie = res.entries!.at(-1)!.cookie;
      verf = res.cookieverf!;
    }
    expect(seen).toEqual(['.', '..', ...names]);
  });

  test('a count that fits not one entry is NFS3ERR_TOOSMALL, with the directory’s attributes', async () => {
    const res = await h.nfs.readdir(h.root, 0n, ZERO_VERF, READDIR_FIXED + 8);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_TOOSMALL);
    expect(res.dirAttrs?.fileid).toBe(h.backend.rootIno);
    expect((await h.nfs.readdir(h.root, 0n, ZERO_VERF, 50)).stat).toBe(Nfs3Stat.NFS3ERR_TOOSMALL);
  });

  test('a cookie with a verifier that is not the listing’s is NFS3ERR_BAD_COOKIE', async () => {
    const first = await h.nfs.readdir(h.root, 0n, ZERO_VERF, 512);
    const cookie = first.entries!.at(-1)!.cookie;
    const wrong = Buffer.from(first.cookieverf!);
    wrong[0] ^= 0xff;
    const res = await h.nfs.readdir(h.root, cookie, wrong, 512);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_BAD_COOKIE);
    expect(res.dirAttrs?.fileid).toBe(h.backend.rootIno);
    expect((await h.nfs.readdir(h.root, cookie, first.cookieverf!, 512)).stat).toBe(Nfs3Stat.NFS3_OK);
  });

  test('a file is NFS3ERR_NOTDIR', async () => {
    const { fh } = await h.nfs.lookup(h.root, 'file-000');
    expect((await h.nfs.readdir(fh!)).stat).toBe(Nfs3Stat.NFS3ERR_NOTDIR);
  });
});
