import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileType } from '../../../../gateway/backend/attrs';
import { expectCode, useExport } from './fixture';

describe('PosixBackend lookup / getattr', () => {
  const fx = useExport();

  test('getattr of the root fills every field from lstat (fileid = ino, fsid = dev)', async () => {
    const st = await lstat(fx.dir, { bigint: true });
    const a = await fx.be.getattr(fx.be.rootIno);
    expect(a.fileid).toBe(st.ino);
    expect(a.fsid).toBe(st.dev);
    expect(a.type).toBe(FileType.DIR);
    expect(a.mode).toBe(Number(st.mode & 0o7777n));
    expect(a.nlink).toBe(Number(st.nlink));
    expect(a.used).toBe(Number(st.blocks) * 512);
    expect(a.mtime.sec * 1e9 + a.mtime.nsec).toBe(Number(st.mtimeNs));
    expect(a.birthtime.sec).toBe(Number(st.birthtimeNs / 1_000_000_000n));
  });

  test('lookup finds a file, a directory and a symlink without following it', async () => {
    await writeFile(join(fx.dir, 'f'), 'hello');
    await mkdir(join(fx.dir, 'd'));
    await symlink('/etc', join(fx.dir, 'l'));
    const f = await fx.be.lookup(fx.be.rootIno, 'f');
    expect(f).toMatchObject({ type: FileType.REG, size: 5 });
    expect((await fx.be.lookup(fx.be.rootIno, 'd')).type).toBe(FileType.DIR);
    const l = await fx.be.lookup(fx.be.rootIno, 'l');
    expect(l.type).toBe(FileType.LNK);
    expect(l.size).toBe(4);
    expect(await fx.be.getattr(f.fileid)).toEqual(f);
  });

  test('lookup of a missing name is ENOENT; lookup inside a file is ENOTDIR', async () => {
    await writeFile(join(fx.dir, 'f'), '');
    await expectCode(fx.be.lookup(fx.be.rootIno, 'nope'), 'ENOENT');
    const f = await fx.be.lookup(fx.be.rootIno, 'f');
    await expectCode(fx.be.lookup(f.fileid, 'x'), 'ENOTDIR');
  });
});
