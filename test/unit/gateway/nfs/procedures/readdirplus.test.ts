import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../../gateway/backend/attrs';
import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { type Entry, ZERO_VERF } from '../../../../helpers/nfs3-calls';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

const N = 5000;

/** Bytes of directory information (fileid + name + cookie) an entry counts against dircount. */
function dirBytes(e: Entry): number {
  return 8 + 4 + ((Buffer.byteLength(e.name) + 3) & ~3) + 8;
}

describe('READDIRPLUS (RFC 1813 §3.3.17) over a 5,000-entry directory', () => {
  let h: Nfs3Harness;
  let big: Buffer;
  beforeAll(async () => {
    h = await startNfs3();
    big = (await h.nfs.mkdir(h.root, 'big')).fh!;
    const dir = join(h.dir, 'big');
    for (let i = 0; i < N; i += 250) {
      await Promise.all(Array.from({ length: 250 }, (_, j) => writeFile(join(dir, `entry-${i + j}`), '')));
    }
  }, 60_000);
  afterAll(() => h.close());

  test('pages with cookies and the verifier reach every entry exactly once, within both budgets', async () => {
    const maxcount = 8192;
    const dircount = 2048;
    const names: string[] = [];
    let cookie = 0n;
    let verf: Buffer = ZERO_VERF;
    let pages = 0;
    for (;;) {
      const res = await h.nfs.readdirplus(big, cookie, verf, dircount, maxcount);
      expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
      pages++;
      expect(h.nfs.lastReplyBytes).toBeLessThanOrEqual(maxcount);
      expect(res.entries!.reduce((s, e) => s + dirBytes(e), 0)).toBeLessThanOrEqual(dircount);
      for (const e of res.entries!) {
        names.push(e.name);
        if (e.name === '..') continue;
        expect(e.fh).toBeDefined();
        expect(e.attrs?.fileid).toBe(e.fileid);
      }
      if (res.eof) break;
      expect(res.entries!.length).toBeGreaterThan(0);
      cookie = res.entries!.at(-1)!.cookie;
      verf = res.cookieverf!;
    }
    expect(pages).toBeGreaterThan(50);
    expect(names.length).toBe(N + 2);
    expect(new Set(names).size).toBe(N + 2);
    for (let i = 0; i < N; i += 499) expect(names).toContain(`entry-${i}`);
  });

  test('entry handles and attributes are the real ones', async () => {
    const first = await h.nfs.readdirplus(big, 0n, ZERO_VERF, 4096, 32768);
    const e = first.entries!.find((x) => x.name.startsWith('entry-'))!;
    const got = await h.nfs.getattr(e.fh!);
    expect(got.attrs?.fileid).toBe(e.fileid);
    expect(e.attrs?.type).toBe(FileType.REG);
    const dotdot = first.entries!.find((x) => x.name === '..')!;
    expect(dotdot.fh).toBeUndefined();
  });

  test('a listing stays consistent while the directory changes between pages', async () => {
    const p1 = await h.nfs.readdirplus(big, 0n, ZERO_VERF, 2048, 8192);
    await writeFile(join(h.dir, 'big', 'late-arrival'), '');
    const p2 = await h.nfs.readdirplus(big, p1.entries!.at(-1)!.cookie, p1.cookieverf!, 2048, 8192);
    expect(p2.stat).toBe(Nfs3Stat.NFS3_OK);
    const names = new Set(p1.entries!.map((e) => e.name));
    for (const e of p2.entries!) expect(names.has(e.name)).toBe(false);
  });

  test('dircount or maxcount too small for one entry is NFS3ERR_TOOSMALL', async () => {
    const tiny = await h.nfs.readdirplus(big, 0n, ZERO_VERF, 10, 8192);
    expect(tiny.stat).toBe(Nfs3Stat.NFS3ERR_TOOSMALL);
    expect(tiny.dirAttrs?.type).toBe(FileType.DIR);
    expect((await h.nfs.readdirplus(big, 0n, ZERO_VERF, 8192, 160)).stat).toBe(Nfs3Stat.NFS3ERR_TOOSMALL);
  });

  test('a forged verifier with a live cookie is NFS3ERR_BAD_COOKIE', async () => {
    const p1 = await h.nfs.readdirplus(big, 0n, ZERO_VERF, 2048, 8192);
    const res = await h.nfs.readdirplus(big, p1.entries!.at(-1)!.cookie, Buffer.from('forgedvf'), 2048, 8192);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_BAD_COOKIE);
  });
});
