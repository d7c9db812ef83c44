import { appendFile, lstat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notingCore } from '../../../../adapters/watcher/noting-core';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { WindowStretch } from '../../../../adapters/watcher/window-stretch';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { UpcallFlags as F } from '../../../../upcall-core';
import { waitFor } from '../../../helpers/wait-for';
import { startWatcher, useWatchDir } from '../../../helpers/watch-dir';

describe('WindowStretch: longer windows while everything seen is the gateway own', () => {
  let nowMs = 0;
  const clock = () => nowMs;

  test('doubles after each all-own window, up to the longest', () => {
    const w = new WindowStretch(30, 120, clock);
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      lengths.push(w.open());
      nowMs += w.current;
      w.applied(true);
    }
    expect(lengths).toEqual([30, 60, 120, 120]);
  });

  test('a window that sent anything brings it back to the shortest', () => {
    const w = new WindowStretch(30, 120, clock);
    w.open();
    w.applied(true);
    expect(w.current).toBe(60);
    w.open();
    w.applied(false);
    expect(w.current).toBe(30);
  });

  test('events after a quiet spell longer than the longest window open a shortest one', () => {
    const w = new WindowStretch(30, 120, clock);
    w.open();
    w.applied(true);
    w.open();
    w.applied(true);
    expect(w.current).toBe(120);
    nowMs += 100;
    expect(w.open()).toBe(120); // still busy
    nowMs += 121;
    expect(w.open()).toBe(30);
  });

  test('bounds that cannot hold are a RangeError', () => {
    expect(() => new WindowStretch(0, 10)).toThrow(RangeError);
    expect(() => new WindowStretch(50, 30)).toThrow(RangeError);
  });
});

describe('ExportWatcher window on a real directory: stretched by own writes, back on an outside one', () => {
  const t = useWatchDir('window-');

  test('gateway writes stretch it to maxBatchMs; an append from outside reaches the holder and resets it', async () => {
    const f = join(t.dir, 'f');
    await writeFile(f, 'a');
    const recent = new RecentChangeSet();
    const front = notingCore(t.core, recent);
    const watcher = await startWatcher(t, { recent, batchMs: 20, maxBatchMs: 80, pauseMs: 10 });
    await watcher.idle();
    const inode = inodeKeyOf((await lstat(f, { bigint: true })).ino);
    expect(watcher.stats().windowMs).toBe(20);

    // The gateway writing: each write noted with its post-op attributes, as with-upcall does.
    const end = Date.now() + 600;
    while (Date.now() < end) {
      await appendFile(f, 'g');
      front.change('h/nfs', {
        inode,
        flags: F.SIZE | F.TIMES,
        stat: attrsOf(await lstat(f, { bigint: true }), 0n),
      });
      await new Promise((r) => setTimeout(r, 5));
    }
    await watcher.idle();
    const busy = watcher.stats();
    expect(busy.suppressed).toBeGreaterThan(0);
    expect(busy.sent).toBe(0);
    expect(busy.windowMs).toBe(80);

    t.core.access('h/nfs', inode);
    await appendFile(f, 'outside');
    const seen = () =>
      t.got.some(
        (e) =>
          e.kind === 'inode' && e.inode === inode && e.origin === 'h/watcher' && (e.flags & F.SIZE) !== 0,
      );
    await waitFor(seen, 'the outside append sent');
    await watcher.idle();
    expect(watcher.stats().windowMs).toBe(20);
  });
});
