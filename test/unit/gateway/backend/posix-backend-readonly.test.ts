import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCESS3_ALL, ACCESS3_EXTEND, ACCESS3_MODIFY } from '../../../../gateway/backend/access-bits';
import { expectCode, ROOT, useExport } from './fixture';

describe('PosixBackend on a read-only export', () => {
  const fx = useExport({ readOnly: true });

  test('every modifying call is EROFS and the export is unchanged', async () => {
    await writeFile(join(fx.dir, 'f'), 'keep');
    await mkdir(join(fx.dir, 'd'));
    const be = fx.be;
    const f = (await be.lookup(be.rootIno, 'f')).fileid;
    const d = (await be.lookup(be.rootIno, 'd')).fileid;
    const r = be.rootIno;
    const none = { major: 0, minor: 0 };
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['setattr', () => be.setattr(f, { mode: 0o600 }, ROOT)],
      ['write', () => be.write(f, 0, Buffer.from('x'), 'file-sync')],
      ['create', () => be.create(r, 'n', { mode: 0o644 }, ROOT)],
      ['create existing', () => be.create(r, 'f', { mode: 0o644, size: 0 }, ROOT)],
      ['mkdir', () => be.mkdir(r, 'n', 0o755, ROOT)],
      ['symlink', () => be.symlink(r, 'n', 'x', 0o777, ROOT)],
      ['mknod', () => be.mknod(r, 'n', 'fifo', 0o644, none, ROOT)],
      ['link', () => be.link(f, r, 'n')],
      ['remove', () => be.remove(r, 'f')],
      ['rmdir', () => be.rmdir(r, 'd')],
      ['rename', () => be.rename(r, 'f', d, 'g')],
    ];
    for (const [, call] of calls) await expectCode(call(), 'EROFS');
    expect((await readdir(fx.dir)).sort()).toEqual(['d', 'f']);
    expect(await readFile(join(fx.dir, 'f'), 'utf8')).toBe('keep');
    expect((await lstat(join(fx.dir, 'f'))).mode & 0o777).not.toBe(0o600);
  });

  test('reads still work, and ACCESS never grants write rights', async () => {
    await writeFile(join(fx.dir, 'f'), 'data');
    const f = (await fx.be.lookup(fx.be.rootIno, 'f')).fileid;
    expect((await fx.be.read(f, 0, 10)).data.toString()).toBe('data');
    expect((await fx.be.readdir(fx.be.rootIno, 0n, 10, true)).entries).toHaveLength(3);
    expect((await fx.be.fsync(f)).fileid).toBe(f);
    const { granted } = await fx.be.access(f, ROOT, ACCESS3_ALL);
    expect(granted & (ACCESS3_MODIFY | ACCESS3_EXTEND)).toBe(0);
  });
});
