import { lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { FileType } from '../../../../gateway/backend/attrs';
import { bytesOfName } from '../../../../gateway/backend/names';
import { expectCode, ROOT, useExport } from './fixture';

/** A path under `dir` whose last component is the raw bytes `name`. */
const rawPath = (dir: string, name: Buffer) => Buffer.concat([Buffer.from(`${dir}/`), name]);
const LATIN1 = Buffer.from('caf\xe9.txt', 'latin1');

describe.each([
  ['through /proc anchors', false],
  ['through paths (no /proc)', true],
])('PosixBackend names that are not UTF-8 (%s)', (_t, withoutProcFd) => {
  const fx = useExport({ withoutProcFd });

  test('a Latin-1 name lists, and looks up, reads and removes by the listed name', async () => {
    writeFileSync(rawPath(fx.dir, LATIN1), 'legacy');
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 10, true);
    const e = page.entries.find((x) => x.name.startsWith('caf'))!;
    expect(e).toBeDefined();
    expect(e.name).toBe('caf\udce9.txt');
    expect(e.attrs).toMatchObject({ size: 6, type: FileType.REG });
    const a = await fx.be.lookup(fx.be.rootIno, e.name);
    expect((await fx.be.read(a.fileid, 0, 10)).data.toString()).toBe('legacy');
    await fx.be.rename(fx.be.rootIno, e.name, fx.be.rootIno, 'cafe.txt');
    await fx.be.rename(fx.be.rootIno, 'cafe.txt', fx.be.rootIno, e.name);
    expect(readdirSync(fx.dir, { encoding: 'buffer' })).toEqual([LATIN1]);
    await fx.be.remove(fx.be.rootIno, e.name);
    expect(readdirSync(fx.dir)).toEqual([]);
  });

  test('create, mkdir and symlink with escaped bytes make exactly those bytes on disk', async () => {
    const name = 'caf\udce9';
    await fx.be.create(fx.be.rootIno, name, { mode: 0o644 }, ROOT);
    await fx.be.mkdir(fx.be.rootIno, `${name}-dir`, 0o755, ROOT);
    const l = await fx.be.symlink(fx.be.rootIno, `${name}-ln`, `../${name}`, 0o777, ROOT);
    const onDisk = readdirSync(fx.dir, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
    expect(onDisk.sort()).toEqual(['caf\xe9', 'caf\xe9-dir', 'caf\xe9-ln']);
    expect(await fx.be.readlink(l.attrs.fileid)).toMatchObject({ target: `../${name}` });
    expect(lstatSync(rawPath(fx.dir, bytesOfName(`${name}-ln`))).isSymbolicLink()).toBe(true);
  });

  test('a symlink whose text is not UTF-8 reads back byte for byte', async () => {
    symlinkSync(Buffer.from('/old/\xe9t\xe9', 'latin1'), rawPath(fx.dir, Buffer.from('ln')));
    const l = await fx.be.lookup(fx.be.rootIno, 'ln');
    const { target } = await fx.be.readlink(l.fileid);
    expect(bytesOfName(target)).toEqual(Buffer.from('/old/\xe9t\xe9', 'latin1'));
  });

  test('NAME_MAX counts bytes on disk: 255 escaped bytes fit, 256 do not', async () => {
    const name = '\udce9'.repeat(255);
    await fx.be.create(fx.be.rootIno, name, { mode: 0o644 }, ROOT);
    await expectCode(fx.be.create(fx.be.rootIno, `${name}\udce9`, { mode: 0o644 }, ROOT), 'ENAMETOOLONG');
  });

  test('a fresh instance resolves a handle through a directory with a non-UTF-8 name', async () => {
    const dirBytes = Buffer.from('r\xe9pertoire', 'latin1');
    await mkdir(rawPath(fx.dir, dirBytes));
    writeFileSync(Buffer.concat([rawPath(fx.dir, dirBytes), Buffer.from('/f')]), 'deep');
    const d = await fx.be.lookup(fx.be.rootIno, 'r\udce9pertoire');
    const f = await fx.be.lookup(d.fileid, 'f');
    const fresh = await fx.open({ withoutProcFd });
    expect(await fresh.resolveHandle(fx.be.handleOf(f.fileid))).toBe(f.fileid);
    expect((await fresh.read(f.fileid, 0, 10)).data.toString()).toBe('deep');
    await fresh.write(f.fileid, 0, Buffer.from('DEEP'), 'unstable');
    expect(readFileSync(Buffer.concat([rawPath(fx.dir, dirBytes), Buffer.from('/f')]), 'utf8')).toBe('DEEP');
  });
});
