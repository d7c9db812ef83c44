import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportWatcher } from '../../../../adapters/watcher/export-watcher';
import { WATCH_SOURCES } from '../../../../adapters/watcher/watch-switch';
import type { Attrs } from '../../../../gateway/backend/attrs';
import { createUpcallCore, type Invalidation, type UpcallCore } from '../../../../upcall-core';

/** Waits (bounded) until `probe` holds. */
async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(WATCH_SOURCES)(
  'ExportWatcher: a real @parcel/watcher on a real directory, an in-process core (source %s)',
  (source) => {
    let dir: string;
    let core: UpcallCore<Attrs>;
    let got: Invalidation<Attrs>[];
    let watcher: ExportWatcher | undefined;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'watcher-'));
      core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': true } });
      got = [];
      core.events('h/nfs').subscribe((ev) => got.push(ev));
    });
    afterEach(async () => {
      await watcher?.close();
      watcher = undefined;
      core.close();
      await rm(dir, { recursive: true, force: true });
    });

    const start = (maxPending = 4096) =>
      ExportWatcher.start({
        source,
        root: dir,
        core,
        origin: 'h/watcher',
        holders: () => ['h/nfs'],
        maxPending,
      });

    test('an append by another program reaches a holder registered on the file', async () => {
      const f = join(dir, 'f');
      await writeFile(f, 'a');
      watcher = await start();
      await mkdir(join(dir, 'warm')); // the watcher learns nothing about f until it changes
      await watcher.idle();
      const { ino } = await import('node:fs/promises').then((fs) => fs.lstat(f));
      core.access('h/nfs', ino);
      await appendFile(f, 'more');
      await until(() => got.some((e) => e.kind === 'inode' && e.inode === ino && (e.flags & 0x08) !== 0));
      expect(got.every((e) => e.kind !== 'inode' || e.origin === 'h/watcher')).toBe(true);
    });

    test('deleting a file that existed before the watcher started still forgets its inode (seeded path map)', async () => {
      const f = join(dir, 'old');
      await writeFile(f, 'x');
      const { ino } = await import('node:fs/promises').then((fs) => fs.lstat(f));
      watcher = await start();
      await watcher.idle(); // seeding done
      expect(watcher.stats().knownPaths).toBe(1);
      core.access('h/nfs', ino);
      await rm(f);
      await until(() => got.some((e) => e.kind === 'inode' && e.inode === ino && (e.flags & 0x100) !== 0));
    });

    test('a burst of 3,000 files past the bound: pending never above it, one flush-all per overflowed window', async () => {
      watcher = await start(200);
      await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(join(dir, `f${i}`), '')));
      await until(() => watcher!.stats().events >= 3000, 5000).catch(() => undefined);
      await watcher.idle();
      const s = watcher.stats();
      expect(s.maxPending).toBeLessThanOrEqual(200);
      expect(s.overflows).toBeGreaterThan(0);
      await until(() => got.some((e) => e.kind === 'flush-all' && e.reason === 'overflow'));
    });
  },
);
