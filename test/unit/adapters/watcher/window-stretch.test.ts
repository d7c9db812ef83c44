import { appendFile, lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportWatcher } from '../../../../adapters/watcher/export-watcher';
import { notingCore } from '../../../../adapters/watcher/noting-core';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { WindowStretch } from '../../../../adapters/watcher/window-stretch';
import type { Attrs } from '../../../../gateway/backend/attrs';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import {
  createUpcallCore,
  UpcallFlags as F,
  type Invalidation,
  type UpcallCore,
} from '../../../../upcall-core';

describe('WindowStretch: longer windows while everything seen is the gateway own', () => {
  let t = 0;
  const clock = () => t;

  test('doubles after each all-own window, up to the longest', () => {
    const w = new WindowStretch(30, 120, clock);
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      lengths.push(w.open());
      t += w.current;
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
    t += 100;
    expect(w.open()).toBe(120); // still busy
    t += 121;
    expect(w.open()).toBe(30);
  });

  test('bounds that cannot hold are a RangeError', () => {
    expect(() => new WindowStretch(0, 10)).toThrow(RangeError);
    expect(() => new WindowStretch(50, 30)).toThrow(RangeError);
  });
});

describe('ExportWatcher window on a real directory: stretched by own writes, back on an outside one', () => {
  let dir: string;
  let core: UpcallCore<Attrs>;
  let got: Invalidation<Attrs>[];
  let watcher: ExportWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'window-'));
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

  test('gateway writes stretch it to maxBatchMs; an append from outside reaches the holder and resets it', async () => {
    const f = join(dir, 'f');
    await writeFile(f, 'a');
    const recent = new RecentChangeSet();
    const front = notingCore(core, recent);
    watcher = await ExportWatcher.start({
      root: dir,
      core,
      origin: 'h/watcher',
      holders: () => ['h/nfs'],
      recent,
      batchMs: 20,
      maxBatchMs: 80,
      pauseMs: 10,
    });
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

    core.access('h/nfs', inode);
    await appendFile(f, 'outside');
    const seen = () =>
      got.some(
        (e) =>
          e.kind === 'inode' && e.inode === inode && e.origin === 'h/watcher' && (e.flags & F.SIZE) !== 0,
      );
    const deadline = Date.now() + 3000;
    while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen()).toBe(true);
    await watcher.idle();
    expect(watcher.stats().windowMs).toBe(20);
  });
});
