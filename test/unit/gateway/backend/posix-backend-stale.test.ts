import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACCESS3_ALL } from '../../../../gateway/backend/access-bits';
import { countCalls, expectCode, ROOT, useExport } from './fixture';

describe('PosixBackend: a deleted object is ESTALE everywhere', () => {
  const fx = useExport();

  function everyCall(ino: bigint, dir: bigint): Array<[string, () => Promise<unknown>]> {
    const be = fx.be;
    return [
      ['getattr', () => be.getattr(ino)],
      ['access', () => be.access(ino, ROOT, ACCESS3_ALL)],
      ['read', () => be.read(ino, 0, 1)],
      ['write', () => be.write(ino, 0, Buffer.from('x'), 'unstable')],
      ['setattr', () => be.setattr(ino, { mode: 0o600 }, ROOT)],
      ['fsync', () => be.fsync(ino)],
      ['link', () => be.link(ino, be.rootIno, 'again')],
      ['lookup in dir', () => be.lookup(dir, 'x')],
      ['readdir', () => be.readdir(dir, 0n, 10, false)],
      ['create in dir', () => be.create(dir, 'x', { mode: 0o644 }, ROOT)],
      ['mkdir in dir', () => be.mkdir(dir, 'x', 0o755, ROOT)],
      ['remove in dir', () => be.remove(dir, 'x')],
      ['rename from dir', () => be.rename(dir, 'x', be.rootIno, 'y')],
      ['statfs', () => be.statfs(ino)],
    ];
  }

  test.each([
    ['removed through the backend', false],
    ['removed behind its back', true],
  ])('%s', async (_t, external) => {
    const dir = (await fx.be.mkdir(fx.be.rootIno, 'd', 0o755, ROOT)).attrs.fileid;
    const f = (await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT)).attrs.fileid;
    await fx.be.read(f, 0, 1); // a cached descriptor must not keep it alive
    await fx.be.readdir(dir, 0n, 10, false);
    if (external) {
      await rm(join(fx.dir, 'f'));
      await rm(join(fx.dir, 'd'), { recursive: true });
    } else {
      await fx.be.remove(fx.be.rootIno, 'f');
      await fx.be.rmdir(fx.be.rootIno, 'd');
    }
    for (const [name, call] of everyCall(f, dir)) {
      try {
        await expectCode(call(), 'ESTALE');
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
    }
  });

  test('once known dead, an inode answers ESTALE without scanning the export again', async () => {
    await mkdir(join(fx.dir, 'many'));
    for (let i = 0; i < 50; i++) await writeFile(join(fx.dir, 'many', `f${i}`), '');
    const f = (await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT)).attrs.fileid;
    await rm(join(fx.dir, 'f'));
    await expectCode(fx.be.getattr(f), 'ESTALE'); // this one searches
    const { calls } = await countCalls('lstat', () => expectCode(fx.be.getattr(f), 'ESTALE'));
    expect(calls).toBe(0);
  });

  test('removed through the backend: ESTALE at once (no search) and its descriptor is closed', async () => {
    const f = (await fx.be.create(fx.be.rootIno, 'f', { mode: 0o644 }, ROOT)).attrs.fileid;
    await fx.be.read(f, 0, 1);
    const open = fx.be.openDescriptors;
    await fx.be.remove(fx.be.rootIno, 'f');
    expect(fx.be.openDescriptors).toBe(open - 1);
    const { calls } = await countCalls('lstat', () => expectCode(fx.be.getattr(f), 'ESTALE'));
    expect(calls).toBe(0);
  });
});
