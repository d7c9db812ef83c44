import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WATCH_SOURCES } from '../../../../adapters/watcher/watch-switch';
import { waitFor } from '../../../helpers/wait-for';
import { startWatcher, useWatchDir } from '../../../helpers/watch-dir';

describe.each(WATCH_SOURCES)(
  'ExportWatcher: a real @parcel/watcher on a real directory, an in-process core (source %s)',
  (source) => {
    const t = useWatchDir('watcher-');

    const start = (maxPending = 4096) => startWatcher(t, { source, maxPending });

    test('an append by another program reaches a holder registered on the file', async () => {
      const f = join(t.dir, 'f');
      await writeFile(f, 'a');
      const watcher = await start();
      await mkdir(join(t.dir, 'warm')); // the watcher learns nothing about f until it changes
      await watcher.idle();
      const { ino } = await import('node:fs/promises').then((fs) => fs.lstat(f));
      t.core.access('h/nfs', ino);
      await appendFile(f, 'more');
      await waitFor(
        () => t.got.some((e) => e.kind === 'inode' && e.inode === ino && (e.flags & 0x08) !== 0),
        'the SIZE upcall',
      );
      expect(t.got.every((e) => e.kind !== 'inode' || e.origin === 'h/watcher')).toBe(true);
    });

    test('deleting a file that existed before the watcher started still forgets its inode (seeded path map)', async () => {
      const f = join(t.dir, 'old');
      await writeFile(f, 'x');
      const { ino } = await import('node:fs/promises').then((fs) => fs.lstat(f));
      const watcher = await start();
      await watcher.idle(); // seeding done
      expect(watcher.stats().knownPaths).toBe(1);
      t.core.access('h/nfs', ino);
      await rm(f);
      await waitFor(
        () => t.got.some((e) => e.kind === 'inode' && e.inode === ino && (e.flags & 0x100) !== 0),
        'the FORGET',
      );
    });

    test('a burst of 3,000 files past the bound: pending never above it, one flush-all per overflowed window', async () => {
      const watcher = await start(200);
      await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(join(t.dir, `f${i}`), '')));
      await waitFor(() => watcher.stats().events >= 3000, '3,000 events', 5000).catch(() => undefined);
      await watcher.idle();
      const s = watcher.stats();
      expect(s.maxPending).toBeLessThanOrEqual(200);
      expect(s.overflows).toBeGreaterThan(0);
      await waitFor(
        () => t.got.some((e) => e.kind === 'flush-all' && e.reason === 'overflow'),
        'the flush-all',
      );
    });
  },
);
