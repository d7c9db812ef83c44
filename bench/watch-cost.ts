/**
 * What a watch source costs the write path: CPU per 4 KiB write with no watcher, @parcel/watcher,
 * and fs.watch per directory (dir-watch-source.ts; read on this loop, or on a thread that pauses
 * 20 ms between reads: dir-watch-thread.ts), the writes made in this process (as when the
 * watcher lives in the head that serves them) and from a child process (as when another head
 * serves them). By default each watcher only counts its events: the source's own cost. With
 * CONSUMER=export-watcher the source feeds a whole ExportWatcher (30 ms windows, an lstat per
 * changed path, an in-process core with invalidation on and no holder), as in a head. CPU is
 * process.cpuUsage() (user+sys, all threads: parcel's native ones included).
 *
 *   node bench/run.js watch-cost        (about 15 s; WRITES=n to change the count)
 */
import { fork } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe } from '@parcel/watcher';
import { subscribeDirs } from '../adapters/watcher/dir-watch-source';
import { subscribeDirsInThread } from '../adapters/watcher/dir-watch-thread';
import { ExportWatcher } from '../adapters/watcher/export-watcher';
import type { WatchSource } from '../adapters/watcher/watch-switch';
import type { Attrs } from '../gateway/backend/attrs';
import { createUpcallCore } from '../upcall-core';

const DIRS = 4;
const FILES_PER_DIR = 16;
const IN_FLIGHT = 4;
const WRITES = Number(process.env.WRITES ?? 40_000);
const ROUNDS = 3;
type Source = 'none' | WatchSource;

const cpuUs = (u: NodeJS.CpuUsage) => u.user + u.system;

/** WRITES async 4 KiB writes over the files, IN_FLIGHT at a time; resolves with this process's CPU, µs. */
function writeAll(files: readonly string[]): Promise<number> {
  const fds = files.map((f) => openSync(f, 'w'));
  const buf = Buffer.alloc(4096, 1);
  const t0 = process.cpuUsage();
  let issued = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const next = () => {
      if (done === WRITES) {
        for (const fd of fds) closeSync(fd);
        resolve(cpuUs(process.cpuUsage(t0)));
        return;
      }
      if (issued >= WRITES) return;
      const i = issued++;
      // Each file cycles over its first 64 blocks: sizes stay bounded, every write is an IN_MODIFY.
      const block = Math.floor(i / fds.length) % 64;
      write(fds[i % fds.length], buf, 0, buf.length, block * 4096, (err) => {
        if (err) return reject(err);
        done++;
        next();
      });
    };
    for (let k = 0; k < IN_FLIGHT; k++) next();
  });
}

/** The child side: writes when told, reports its own CPU. */
if (process.argv[2] === 'writer') {
  process.on('message', (m: { files: string[] }) => {
    void writeAll(m.files).then((us) => process.send!({ us }));
  });
} else {
  void main();
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'watch-cost-'));
  const files: string[] = [];
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(root, `d${d}`));
    for (let f = 0; f < FILES_PER_DIR; f++) files.push(join(root, `d${d}`, `f${f}`));
  }
  for (const f of files) closeSync(openSync(f, 'w'));
  const child = fork(__filename, ['writer'], { stdio: 'inherit' });
  const fromChild = (): Promise<number> =>
    new Promise((r) => child.once('message', (m: { us: number }) => r(m.us)));

  /** Events the source passed on (a counter, or the ExportWatcher's `events` stat). */
  let events = 0;
  let counted = () => events;
  const consumer = process.env.CONSUMER === 'export-watcher' ? 'export-watcher' : 'count';
  const watch = async (source: Source): Promise<() => Promise<void>> => {
    if (consumer === 'export-watcher' && source !== 'none') {
      const core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': true } });
      const w = await ExportWatcher.start({
        root,
        core,
        origin: 'bench/watcher',
        holders: () => [],
        source,
        pollMs: 0,
        seedLimit: 0,
      });
      counted = () => w.stats().events;
      return async () => {
        counted = () => events;
        await w.close();
        core.close();
      };
    }
    const cb = (err: Error | null, evs: readonly unknown[]) => {
      if (!err) events += evs.length;
    };
    if (source === 'parcel') {
      const s = await subscribe(root, cb);
      return () => s.unsubscribe();
    }
    if (source === 'fs-watch' || source === 'fs-watch-thread') {
      const s = await (source === 'fs-watch' ? subscribeDirs(root, cb) : subscribeDirsInThread(root, cb));
      return () => s.unsubscribe();
    }
    return async () => {};
  };
  /** Lets the watcher drain what the run queued (parcel batches for 50 ms) before CPU is read. */
  const drain = () => new Promise((r) => setTimeout(r, 150));

  const results: Record<string, number[]> = {};
  const add = (k: string, v: number) => {
    results[k] ??= [];
    results[k].push(v);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const source of ['none', 'parcel', 'fs-watch', 'fs-watch-thread'] as const) {
      const stop = await watch(source);
      // Same process: all CPU (writes + watcher) here.
      let e0 = counted();
      const t0 = process.cpuUsage();
      await writeAll(files);
      await drain();
      add(`${source} same-process total`, cpuUs(process.cpuUsage(t0)) / WRITES);
      add(`${source} same-process events`, counted() - e0);
      // Separate writer: this process's CPU is the watcher's; the child's, the writes'.
      e0 = counted();
      const t1 = process.cpuUsage();
      child.send({ files });
      const writerUs = await fromChild();
      await drain();
      add(`${source} other-process watcher`, cpuUs(process.cpuUsage(t1)) / WRITES);
      add(`${source} other-process writer`, writerUs / WRITES);
      add(`${source} other-process events`, counted() - e0);
      await stop();
    }
  }
  child.kill();
  rmSync(root, { recursive: true, force: true });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `${WRITES} writes of 4 KiB over ${files.length} files in ${DIRS} dirs, ${IN_FLIGHT} in flight; consumer ${consumer}; median of ${ROUNDS}`,
  );
  for (const [k, xs] of Object.entries(results)) {
    const unit = k.endsWith('events') ? 'events to JS' : 'µs CPU / write';
    console.log(
      `${k.padEnd(32)} ${med(xs)
        .toFixed(k.endsWith('events') ? 0 : 2)
        .padStart(8)} ${unit}  [${xs.map((x) => x.toFixed(1)).join(', ')}]`,
    );
  }
}
