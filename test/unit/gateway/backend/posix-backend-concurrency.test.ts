import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, useExport } from './fixture';

/** Many calls in flight at once over a descriptor cache far smaller than the working set. */
describe('PosixBackend under concurrent calls', () => {
  const fx = useExport();

  test('parallel mkdir / create / write / rename / readdir / remove leave exactly the expected tree', async () => {
    const be = await fx.open({ maxOpenFiles: 2 });
    const dirs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => be.mkdir(be.rootIno, `d${i}`, 0o755, ROOT)),
    );
    const dirIno = dirs.map((d) => d.attrs.fileid);
    // 8 files per directory, written in parallel
    await Promise.all(
      dirIno.flatMap((d, i) =>
        Array.from({ length: 8 }, async (_, j) => {
          const f = await be.create(d, `f${j}`, { mode: 0o644 }, ROOT);
          await be.write(f.attrs.fileid, 0, Buffer.from(`${i}/${j}`), 'unstable');
        }),
      ),
    );
    // move every odd file into the next directory while listing and removing even ones
    await Promise.all([
      ...dirIno.flatMap((d, i) =>
        [1, 3, 5, 7].map((j) => be.rename(d, `f${j}`, dirIno[(i + 1) % 8]!, `moved-from-${i}-${j}`)),
      ),
      ...dirIno.flatMap((d) => [0, 2].map((j) => be.remove(d, `f${j}`))),
      ...dirIno.map((d) => be.readdir(d, 0n, 3, true)),
    ]);
    for (let i = 0; i < 8; i++) {
      const prev = (i + 7) % 8;
      const expected = ['f4', 'f6', ...[1, 3, 5, 7].map((j) => `moved-from-${prev}-${j}`)].sort();
      expect((await readdir(join(fx.dir, `d${i}`))).sort()).toEqual(expected);
      expect(await readFile(join(fx.dir, `d${i}`, `moved-from-${prev}-3`), 'utf8')).toBe(`${prev}/3`);
      const listed = (await be.readdir(dirIno[i]!, 0n, 100, false)).entries.map((e) => e.name).slice(2);
      expect(listed).toEqual(expected);
    }
    expect(be.openDescriptors).toBeLessThanOrEqual(2);
  });
});
