import { appendFile, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportWatcher } from '../../../../adapters/watcher/export-watcher';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { WATCH_SOURCES } from '../../../../adapters/watcher/watch-switch';
import { WatcherElection, type WatcherLease } from '../../../../adapters/watcher/watcher-election';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { UpcallFlags as F } from '../../../../upcall-core';
import { useWatchDir } from '../../../helpers/watch-dir';

/** A lease two watchers share in memory (the Redis one is tested in redis-lease.test.ts). */
function sharedLease(): (me: string) => WatcherLease {
  let holder: string | undefined;
  return (me) => ({
    claim: async () => {
      holder ??= me;
      return holder === me;
    },
    release: async () => {
      if (holder === me) holder = undefined;
    },
  });
}

async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Two heads' watchers over one export and one core, as on one machine: only the elected one
 * holds the inotify watch, and whatever it must flush, it flushes for every head.
 */
describe.each(WATCH_SOURCES)(
  'ExportWatcher with an election: one watch per machine (source %s)',
  (source) => {
    const t = useWatchDir('watcher-elect-', { holder: 'a/nfs' });

    async function head(id: string, lease: WatcherLease, extra: { maxPending?: number } = {}) {
      const flushed = { n: 0 };
      const election = await WatcherElection.start({
        lease,
        flushEveryHead: async () => flushed.n++,
        leaseMs: 300,
        intervalMs: 50,
      });
      const watcher = await ExportWatcher.start({
        source,
        root: t.dir,
        core: t.core,
        origin: `${id}/watcher`,
        holders: () => [`${id}/nfs`],
        recent: new RecentChangeSet(),
        election,
        pollMs: 0,
        ...extra,
      });
      t.closing.push(election, watcher);
      return { election, watcher, flushed };
    }

    test('only the elected head watches; an outside change is sent once; the other takes over on close', async () => {
      const lease = sharedLease();
      const a = await head('a', lease('a'));
      const b = await head('b', lease('b'));
      expect([a.watcher.stats().watching, b.watcher.stats().watching]).toEqual([true, false]);
      expect(a.flushed.n).toBe(1); // its watch in place: every head flushes (nobody may have watched)
      expect(b.flushed.n).toBe(0);

      const f = join(t.dir, 'f');
      await writeFile(f, 'a');
      const inode = inodeKeyOf((await lstat(f, { bigint: true })).ino);
      t.core.access('a/nfs', inode);
      await appendFile(f, 'b');
      const sizeOf = () =>
        t.got.filter((e) => e.kind === 'inode' && e.inode === inode && (e.flags & F.SIZE) !== 0);
      await until(() => sizeOf().length > 0);
      await a.watcher.idle();
      expect(sizeOf().map((e) => (e.kind === 'inode' ? e.origin : ''))).toEqual(['a/watcher']);
      expect(b.watcher.stats().events).toBe(0);

      await a.watcher.close();
      await a.election.close();
      await until(() => b.watcher.stats().watching);
      await until(() => b.flushed.n === 1); // taken over: every head flushes once B's watch is in place
      t.core.access('a/nfs', inode);
      await appendFile(f, 'c');
      await until(() => sizeOf().some((e) => e.kind === 'inode' && e.origin === 'b/watcher'));
    });

    test('an overflowing window flushes every head (one broadcast), not only its own holders', async () => {
      const a = await head('a', sharedLease()('a'), { maxPending: 2 });
      const before = a.flushed.n;
      // Far more than the bound, so one window overflows even if a loaded machine spreads them out.
      await Promise.all(Array.from({ length: 40 }, (_, i) => writeFile(join(t.dir, `f${i}`), 'x')));
      await until(() => a.watcher.stats().overflows > 0);
      await a.watcher.idle();
      expect(a.flushed.n).toBeGreaterThan(before);
      expect(t.got.filter((e) => e.kind === 'flush-all')).toEqual([]); // not the local holder alone
    });
  },
);
