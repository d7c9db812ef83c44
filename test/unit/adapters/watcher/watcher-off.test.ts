import { appendFile, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notingCore } from '../../../../adapters/watcher/noting-core';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { WATCH_SOURCES } from '../../../../adapters/watcher/watch-switch';
import type { Attrs } from '../../../../gateway/backend/attrs';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { UpcallFlags as F, type InodeKey } from '../../../../upcall-core';
import { startWatcher, useWatchDir } from '../../../helpers/watch-dir';

/** Counts every call of the RecentChanges seam: notes made and notes looked up. */
class CountingRecent extends RecentChangeSet {
  noted = 0;
  lookups = 0;
  override note(inode: InodeKey, attrs?: Attrs): void {
    this.noted++;
    super.note(inode, attrs);
  }
  override noteEntry(dir: InodeKey, name: string): void {
    this.noted++;
    super.noteEntry(dir, name);
  }
  override isOwn(inode: InodeKey, attrs: Attrs | undefined): boolean {
    this.lookups++;
    return super.isOwn(inode, attrs);
  }
  override isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): boolean {
    this.lookups++;
    return super.isOwnEntry(dir, name, dirAttrs);
  }
}

async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const attrsAt = async (p: string) => attrsOf(await lstat(p, { bigint: true }), 0n);

describe.each(WATCH_SOURCES)(
  'ExportWatcher and NotingCore while features.cache-invalidation is off (source %s)',
  (source) => {
    const t = useWatchDir('watcher-off-', { on: false });
    let recent: CountingRecent;
    beforeEach(() => {
      recent = new CountingRecent();
    });

    const start = () => startWatcher(t, { source, recent });

    test('off: no watch, no lookup, no note, no upcall; on again: watch back, holders flushed, changes seen', async () => {
      const f = join(t.dir, 'f');
      await writeFile(f, 'a');
      const front = notingCore(t.core, recent);
      const watcher = await start();
      const inode = inodeKeyOf((await lstat(f, { bigint: true })).ino);

      // The gateway's own write while off: not noted.
      await appendFile(f, 'b');
      front.change('h/nfs', { inode, flags: F.SIZE | F.TIMES, stat: await attrsAt(f) });
      // A change from outside while off: the watch is not even in place. The wait is well past
      // the library's 50 ms batch plus the 30 ms window, so a watch that was there would have acted.
      await appendFile(f, 'c');
      await new Promise((r) => setTimeout(r, 300));
      await watcher.idle();
      const off = watcher.stats();
      expect(off.watching).toBe(false);
      expect(off.events + off.droppedOff).toBe(0);
      expect(off.sent + off.suppressed + off.forgets).toBe(0);
      expect(off.knownPaths).toBe(0); // not even the seed walk
      expect(recent.noted).toBe(0);
      expect(recent.lookups).toBe(0);
      expect(t.got).toEqual([]);

      t.core.reconfigure({ 'features.cache-invalidation': true });
      await watcher.idle(); // watch back, reseeded
      expect(watcher.stats().watching).toBe(true);
      expect(watcher.stats().knownPaths).toBe(1);
      // The core's flush, then the watcher's own once its watch is back (what changed in between went unseen).
      const reenabled = () => t.got.filter((e) => e.kind === 'flush-all' && e.reason === 'reenabled').length;
      await until(() => reenabled() >= 2);

      front.change('h/nfs', { inode, flags: F.SIZE | F.TIMES, stat: await attrsAt(f) });
      expect(recent.noted).toBe(1);
      t.core.access('h/nfs', inode);
      await appendFile(f, 'd'); // from outside: reaches the holder
      await until(() =>
        t.got.some(
          (e) =>
            e.kind === 'inode' && e.inode === inode && e.origin === 'h/watcher' && (e.flags & F.SIZE) !== 0,
        ),
      );
      expect(recent.lookups).toBeGreaterThan(0);
    });

    test('turned off with a window pending: that window is dropped, not applied after the switch', async () => {
      t.core.reconfigure({ 'features.cache-invalidation': true });
      const watcher = await start();
      await watcher.idle();
      await writeFile(join(t.dir, 'g'), 'x');
      await until(() => watcher.stats().events > 0 || watcher.stats().pending > 0);
      t.core.reconfigure({ 'features.cache-invalidation': false });
      await watcher.idle();
      const s = watcher.stats();
      expect(s.pending).toBe(0);
      expect(s.sent + s.suppressed).toBe(0);
      expect(recent.lookups).toBe(0);
    });
  },
);
