import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../../../../gateway/backend/backend';
import { lookupIgnoringCase, noteCreated } from '../../../../gateway/smb/case-lookup';
import { ROOT, tempBackend } from '../../../helpers/temp-backend';

/** Counts readdir calls on a real backend (the listings a miss costs). */
function counting(inner: Backend): { backend: Backend; listings: () => number } {
  let n = 0;
  const backend = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'readdir')
        return (...args: Parameters<Backend['readdir']>) => {
          n++;
          return target.readdir(...args);
        };
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { backend, listings: () => n };
}

describe('case-insensitive lookup on a miss', () => {
  let t: Awaited<ReturnType<typeof tempBackend>>;
  beforeEach(async () => {
    t = await tempBackend();
  });
  afterEach(() => t.close());

  it('finds the on-disk name that differs only in case, and misses what is not there', async () => {
    writeFileSync(join(t.dir, 'Report.TXT'), 'x');
    const root = t.backend.rootIno;
    const hit = await lookupIgnoringCase(t.backend, root, 'report.txt', ROOT);
    expect(hit?.name).toBe('Report.TXT');
    expect(await lookupIgnoringCase(t.backend, root, 'other.txt', ROOT)).toBeUndefined();
  });

  it('a client filling a directory costs one listing, not one per create', async () => {
    const { backend, listings } = counting(t.backend);
    const root = backend.rootIno;
    for (let i = 0; i < 50; i++) {
      const name = `file-${i}.dat`;
      expect(await lookupIgnoringCase(backend, root, name, ROOT)).toBeUndefined();
      const made = await backend.create(root, name, { mode: 0o644, guarded: true }, ROOT);
      noteCreated(backend, root, name, made.dir);
    }
    expect(listings()).toBe(1);
    // The names it noted are found ignoring case without another listing.
    expect((await lookupIgnoringCase(backend, root, 'FILE-7.DAT', ROOT))?.name).toBe('file-7.dat');
    expect(listings()).toBe(1);
  });

  it('a name created by another program is found: the directory times moved, so it lists again', async () => {
    const { backend, listings } = counting(t.backend);
    const root = backend.rootIno;
    expect(await lookupIgnoringCase(backend, root, 'x', ROOT)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20)); // past the file system's timestamp tick
    writeFileSync(join(t.dir, 'Outside.Txt'), 'y');
    expect((await lookupIgnoringCase(backend, root, 'outside.txt', ROOT))?.name).toBe('Outside.Txt');
    expect(listings()).toBe(2);
  });
});
