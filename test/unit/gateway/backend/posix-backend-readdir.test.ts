import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useExport } from './fixture';

describe('PosixBackend readdir', () => {
  const fx = useExport();

  test('a listing starts with . and .. (the root is its own parent), then every name', async () => {
    for (const n of ['b', 'a', 'c']) await writeFile(join(fx.dir, n), n);
    const page = await fx.be.readdir(fx.be.rootIno, 0n, 100, false);
    expect(page.entries.map((e) => e.name)).toEqual(['.', '..', 'a', 'b', 'c']);
    expect(page.entries[0]!.fileid).toBe(fx.be.rootIno);
    expect(page.entries[1]!.fileid).toBe(fx.be.rootIno);
    expect(page.eof).toBe(true);
  });
});
