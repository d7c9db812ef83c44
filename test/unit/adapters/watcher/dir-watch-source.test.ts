import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { appendFile, mkdir, mkdtemp, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DirWatchError,
  type DirWatchSubscription,
  subscribeDirs,
  type WatchDir,
  type WatchEvent,
  WatchOverflowError,
  WatchRootGoneError,
} from '../../../../adapters/watcher/dir-watch-source';
import { subscribeDirsInThread, WatchThreadError } from '../../../../adapters/watcher/dir-watch-thread';

async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const enospc = () =>
  Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });

type Subscribe = (
  root: string,
  cb: Parameters<typeof subscribeDirs>[1],
  o: { retryMs?: number; foldMs?: number; watchDir?: WatchDir; pauseMs?: number },
) => Promise<DirWatchSubscription>;

// The same source read on the main loop, and on a worker thread that pauses between reads (the
// thread runs dist's build of the source: npm test builds first). Injected watchDir failures and
// a blocked main loop only mean something on the main loop; pauses only on the thread.
const SOURCES: [string, Subscribe][] = [
  ['on the main loop', (root, cb, o) => subscribeDirs(root, cb, o)],
  ['on a thread', (root, cb, o) => subscribeDirsInThread(root, cb, o)],
];

describe.each(SOURCES)('subscribeDirs %s: fs.watch per directory, recursion by us', (where, subscribe) => {
  const onThread = where === 'on a thread';
  let base: string;
  let sub: DirWatchSubscription | undefined;
  let events: WatchEvent[];
  let errors: Error[];

  const has = (path: string, type?: WatchEvent['type']) =>
    events.some((e) => e.path === path && (type === undefined || e.type === type));
  const start = async (root = base, retryMs?: number, watchDir?: WatchDir, pauseMs?: number) => {
    sub = await subscribe(
      root,
      (err, evs) => {
        if (err) errors.push(err);
        else events.push(...evs);
      },
      { retryMs, watchDir, pauseMs },
    );
    return sub;
  };

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dir-watch-'));
    events = [];
    errors = [];
  });
  afterEach(async () => {
    await sub?.unsubscribe();
    sub = undefined;
    await rm(base, { recursive: true, force: true });
  });

  test('create, update and delete of a file: create, update, delete', async () => {
    await start();
    const f = join(base, 'f');
    await writeFile(f, 'a');
    await until(() => has(f, 'create'));
    await appendFile(f, 'b');
    await until(() => has(f, 'update'));
    await rm(f);
    await until(() => has(f, 'delete'));
    expect(errors).toEqual([]);
  });

  test('directories that existed at start are watched, at any depth', async () => {
    await mkdir(join(base, 'a/b/c'), { recursive: true });
    await writeFile(join(base, 'a/b/c/f'), '');
    await start();
    expect([...sub!.watched].sort()).toEqual([base, join(base, 'a'), join(base, 'a/b'), join(base, 'a/b/c')]);
    await appendFile(join(base, 'a/b/c/f'), 'x');
    await until(() => has(join(base, 'a/b/c/f'), 'update'));
  });

  test('mkdir then a file inside with no gap: the directory is reported, and watched before it is', async () => {
    await start();
    for (let i = 0; i < 10; i++) {
      const d = join(base, `d${i}`);
      await mkdir(d);
      await writeFile(join(d, 'f'), 'x');
      await until(() => has(d, 'create'));
      // Reported only once watched: a write now is seen.
      expect(sub!.watched).toContain(d);
      await appendFile(join(d, 'f'), 'y');
      await until(() => has(join(d, 'f'), 'update'));
    }
  });

  test('a directory moved within the tree is watched under its new path, the old one dropped', async () => {
    await mkdir(join(base, 'a/sub'), { recursive: true });
    await writeFile(join(base, 'a/sub/f'), '');
    await start();
    await rename(join(base, 'a'), join(base, 'b'));
    await until(() => has(join(base, 'b'), 'create') && has(join(base, 'a'), 'delete'));
    expect([...sub!.watched].sort()).toEqual([base, join(base, 'b'), join(base, 'b/sub')]);
    events = [];
    await appendFile(join(base, 'b/sub/f'), 'x');
    await until(() => has(join(base, 'b/sub/f'), 'update'));
    await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.path.startsWith(join(base, 'a')))).toBe(false);
  });

  test('a directory moved out of the tree is no longer watched; moved in, it is', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'dir-watch-out-'));
    try {
      await mkdir(join(base, 'a'));
      await start();
      await rename(join(base, 'a'), join(outside, 'a'));
      await until(() => has(join(base, 'a'), 'delete'));
      await until(() => !sub!.watched.includes(join(base, 'a')));
      events = [];
      await writeFile(join(outside, 'a/f'), 'x');
      await mkdir(join(outside, 'in/deep'), { recursive: true });
      await rename(join(outside, 'in'), join(base, 'in'));
      await until(() => has(join(base, 'in'), 'create'));
      expect(sub!.watched).toContain(join(base, 'in/deep'));
      expect(events.some((e) => e.path.includes('/a/'))).toBe(false);
      await writeFile(join(base, 'in/deep/g'), '');
      await until(() => has(join(base, 'in/deep/g'), 'create'));
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('rmdir: delete reported, its watch dropped; a new directory of the same name is watched again', async () => {
    await mkdir(join(base, 'd'));
    await start();
    await rmdir(join(base, 'd'));
    await until(() => has(join(base, 'd'), 'delete'));
    await until(() => !sub!.watched.includes(join(base, 'd')));
    await mkdir(join(base, 'd'));
    await until(() => has(join(base, 'd'), 'create'));
    await writeFile(join(base, 'd/f'), '');
    await until(() => has(join(base, 'd/f'), 'create'));
    // The directory's own DELETE_SELF (named 'd' on its watch) is not a child 'd/d' deleted.
    expect(has(join(base, 'd/d'))).toBe(false);
  });

  test('a directory replaced by another in one go (rm -r then mkdir) gets a fresh watch', async () => {
    await mkdir(join(base, 'd'));
    await start();
    await rmdir(join(base, 'd'));
    await mkdir(join(base, 'd')); // most often with the same inode number
    await until(() => has(join(base, 'd'), 'create'));
    await writeFile(join(base, 'd/f'), '');
    await until(() => has(join(base, 'd/f'), 'create'));
    expect(has(join(base, 'd/d'))).toBe(false);
  });

  test('a file named like its directory is reported, and the directory stays watched', async () => {
    await mkdir(join(base, 'x'));
    await start();
    await writeFile(join(base, 'x/x'), 'a');
    await until(() => has(join(base, 'x/x'), 'create'));
    await appendFile(join(base, 'x/x'), 'b');
    await until(() => has(join(base, 'x/x'), 'update'));
    expect(sub!.watched).toContain(join(base, 'x'));
    await unlink(join(base, 'x/x'));
    await until(() => has(join(base, 'x/x'), 'delete'));
  });

  test('many directories: 200 made at once, each watched and reporting', async () => {
    await start();
    await Promise.all(Array.from({ length: 200 }, (_, i) => mkdir(join(base, `m${i}`))));
    await until(() => sub!.watched.length === 201);
    await Promise.all(Array.from({ length: 200 }, (_, i) => writeFile(join(base, `m${i}/f`), '')));
    await until(() => Array.from({ length: 200 }, (_, i) => join(base, `m${i}/f`)).every((p) => has(p)));
    expect(errors).toEqual([]);
  });

  test('a burst of writes to one file is coalesced per turn', async () => {
    const f = join(base, 'f');
    await writeFile(f, '');
    await start();
    const fd = fs.openSync(f, 'a');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, 'x'); // one turn: 100 IN_MODIFY
    fs.closeSync(fd);
    await until(() => has(f, 'update'));
    expect(events.filter((e) => e.path === f).length).toBeLessThan(10);
  });

  test('with foldMs, a modify within it of its create is folded into it; one after it is reported', async () => {
    sub = await subscribe(base, (err, evs) => (err ? errors.push(err) : events.push(...evs)), {
      foldMs: 50,
    });
    const f = join(base, 'f');
    await writeFile(f, 'a');
    await appendFile(f, 'b'); // within the 50 ms
    await until(() => has(f, 'create'));
    expect(has(f, 'update')).toBe(false);
    await appendFile(f, 'c');
    await until(() => has(f, 'update'));
  });

  test('the root cannot be watched: subscribe rejects', async () => {
    await expect(start(join(base, 'missing'))).rejects.toBeInstanceOf(DirWatchError);
  });

  test('the root deleted: reported as an error', async () => {
    const root = join(base, 'root');
    await mkdir(root);
    await start(root);
    await rmdir(root);
    await until(() => errors.some((e) => e instanceof WatchRootGoneError));
  });

  if (!onThread) {
    test('inotify queue overflow (loop blocked while another process makes more files than it holds): reported', async () => {
      const n = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8')) + 4000;
      await start();
      // execFileSync blocks this loop: the kernel queue (16,384 by default) fills and overflows.
      execFileSync(process.execPath, [
        '-e',
        `const fs = require('fs'); for (let i = 0; i < ${n}; i++) fs.closeSync(fs.openSync(${JSON.stringify(base)} + '/f' + i, 'w'));`,
      ]);
      await until(() => errors.some((e) => e instanceof WatchOverflowError), 10_000);
    }, 30_000);

    test('a directory that cannot be watched (ENOSPC) at start: subscribe rejects', async () => {
      await mkdir(join(base, 'a'));
      const opened: fs.FSWatcher[] = [];
      const watchDir: WatchDir = (dir, listener) => {
        if (dir.endsWith('/a')) throw enospc();
        const w = fs.watch(dir, { persistent: false }, listener);
        opened.push(w);
        return w;
      };
      await expect(start(base, undefined, watchDir)).rejects.toMatchObject({
        name: 'DirWatchError',
        code: 'ENOSPC',
      });
      expect(opened.length).toBe(1);
      // What it had opened is closed again: a closed FSWatcher has no handle.
      expect((opened[0] as unknown as { _handle: unknown })._handle).toBeNull();
    });

    test('a new directory that cannot be watched: error reported, retried, then reported as created', async () => {
      let fail = 2;
      await start(base, 30, (dir, listener) => {
        if (dir.endsWith('/a') && fail-- > 0) throw enospc();
        return fs.watch(dir, { persistent: false }, listener);
      });
      await mkdir(join(base, 'a'));
      await until(() => errors.length >= 1);
      expect(errors[0]).toMatchObject({ name: 'DirWatchError', code: 'ENOSPC', path: join(base, 'a') });
      await until(() => sub!.watched.includes(join(base, 'a')));
      expect(errors.length).toBe(2); // the first retry failed too: told again
      await until(() => events.filter((e) => e.path === join(base, 'a') && e.type === 'create').length >= 2);
      await writeFile(join(base, 'a/f'), '');
      await until(() => has(join(base, 'a/f'), 'create'));
    });
  } else {
    test('a full inotify queue during a pause (another process writes more often than it holds): reported', async () => {
      const n = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8')) + 4000;
      const [first, second] = [join(base, 'a'), join(base, 'b')];
      await writeFile(first, '');
      await writeFile(second, '');
      await start(base, undefined, undefined, 3000);
      await appendFile(first, 'x'); // an update: the thread reads it, then sleeps 3 s
      await until(() => has(first, 'update'));
      await new Promise((r) => setTimeout(r, 100)); // the thread is asleep by now
      // Writes to two files in turn: the kernel merges an event only into an identical last one.
      execFileSync(process.execPath, [
        '-e',
        `const fs = require('fs'); const fds = [${JSON.stringify(first)}, ${JSON.stringify(second)}].map((p) => fs.openSync(p, 'a'));
         for (let i = 0; i < ${n}; i++) fs.writeSync(fds[i % 2], 'x');`,
      ]);
      await until(() => errors.some((e) => e instanceof WatchOverflowError), 10_000);
    }, 30_000);

    test('writes spread over a pause are read together: a few pass-ons, not one per write', async () => {
      const f = join(base, 'f');
      await writeFile(f, '');
      let passOns = 0;
      sub = await subscribe(
        base,
        (err, evs) => {
          if (err) errors.push(err);
          else if (evs.some((e) => e.path === f)) passOns++;
          events.push(...evs);
        },
        { pauseMs: 300 },
      );
      for (let i = 0; i < 30; i++) {
        await appendFile(f, 'x');
        await new Promise((r) => setTimeout(r, 10));
      }
      await until(() => has(f, 'update'));
      await new Promise((r) => setTimeout(r, 400));
      // 30 writes over ≥ 300 ms, each a wakeup on the main loop; here one read per pause.
      expect(passOns).toBeGreaterThanOrEqual(1);
      expect(passOns).toBeLessThanOrEqual(3);
    });

    test('a thread that dies is reported and started again', async () => {
      await start(base, 50);
      const worker = (sub as unknown as { worker: { terminate(): Promise<number> } }).worker;
      await worker.terminate(); // as a crash would end it
      await until(() => errors.some((e) => e instanceof WatchThreadError));
      await until(() => sub!.watched.includes(base));
      await writeFile(join(base, 'after'), '');
      await until(() => has(join(base, 'after'), 'create'));
    });
  }

  test('unsubscribe: no event after it', async () => {
    await start();
    await sub!.unsubscribe();
    await writeFile(join(base, 'late'), '');
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
    sub = undefined;
  });
});
