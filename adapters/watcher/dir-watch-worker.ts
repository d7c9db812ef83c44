import { parentPort, workerData } from 'node:worker_threads';
import { type DirWatchSubscription, subscribeDirs, type WatchEvent } from './dir-watch-source';
import { type FromWorker, serializeError, type ToWorker, type WorkerSetup } from './dir-watch-thread';

/*
 * The worker side of subscribeDirsInThread (dir-watch-thread.ts): DirWatchSource on this thread's
 * own loop, which sleeps `pauseMs` after a pass-on of writes. While it sleeps nothing polls the inotify
 * fd, so the kernel only queues events (no wakeup per gateway write); the next poll reads them
 * all at once. Sleeping is Atomics.wait on a shared flag the main thread sets to end it early.
 */

const setup = workerData as WorkerSetup;
const port = parentPort!;
const wake = new Int32Array(setup.wake);
let sub: DirWatchSubscription | undefined;
let pausing = false;
let closed = false;

const post = (m: FromWorker) => port.postMessage(m);

/** Sleeps once the loop has done this turn's work (lstat's of renames run after it). */
function pauseSoon(): void {
  if (pausing || setup.pauseMs <= 0) return;
  pausing = true;
  setImmediate(() => {
    pausing = false;
    if (!closed) Atomics.wait(wake, 0, 0, setup.pauseMs);
  });
}

/**
 * Posts a pass-on; pauses after one of updates only. Those are what the gateway's own writes
 * make, one per WRITE; creates, deletes and renames are followed by lstat's and watch upkeep on
 * this loop, which a pause per step would slow down (a burst of mkdirs would overflow the queue).
 */
function passOn(err: Error | null, events: WatchEvent[]): void {
  if (closed) return;
  if (err) {
    post({ t: 'error', error: serializeError(err), watched: sub?.watched });
    return;
  }
  // Only creates, deletes and renames move watches; updates, the bulk, need no list.
  const moved = events.some((e) => e.type !== 'update');
  post({ t: 'events', events, watched: moved ? sub?.watched : undefined });
  if (!moved) pauseSoon();
}

port.on('message', (m: ToWorker) => {
  if (m.t !== 'close' || closed) return;
  closed = true;
  void (sub?.unsubscribe() ?? Promise.resolve()).finally(() => port.close());
});

subscribeDirs(setup.root, passOn, { retryMs: setup.retryMs, foldMs: setup.foldMs, coalesceMs: 0 }).then(
  (s) => {
    sub = s;
    if (closed) void s.unsubscribe();
    else post({ t: 'ready', watched: s.watched });
  },
  (err: unknown) => {
    post({ t: 'failed', error: serializeError(err) });
    port.close();
  },
);
