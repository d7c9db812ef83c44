import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DirWatchError,
  type DirWatchSubscription,
  type WatchCallback,
  type WatchEvent,
  WatchOverflowError,
  WatchRootGoneError,
} from './dir-watch-source';

/*
 * Why a thread (measured on this machine kind, 2 cores, 2 heads, 4 KiB WRITEs through NFS, one
 * fs.watch on the export in a process of its own so only the reading differs):
 * - read eagerly on a loop that is otherwise idle, every gateway write is one inotify event that
 *   wakes the reader: ~5.7 µs of CPU per write on a main loop, ~10 µs on a worker thread;
 * - read at most every 20 ms (the thread sleeps between pass-ons), the kernel just queues the
 *   events and the reader takes them a few hundred at a time: ~1.3 µs per write (50 ms: ~1 µs).
 * The sleep cannot happen on the gateway's own loop (it serves requests), hence a worker thread
 * that runs DirWatchSource unchanged and posts its pass-ons here. A pass-on of changes made by
 * other programs is so at most `pauseMs` later; ExportWatcher batches for 30 ms or more anyway.
 * 50 ms rather than 20 (bench/heads.ts, 2 heads, one writing 100 files): half the pass-ons
 * and paths for the watcher's loop to take in, its head's CPU ~500 → ~330 ms per 3 s.
 * The kernel queue (fs.inotify.max_queued_events, 16,384) then has to hold one pause's worth of
 * events: 16,384 in 50 ms is 327,000 events/s; a full one is still detected and reported
 * (WatchOverflowError), as on the main loop.
 */

export interface DirWatchThreadOptions {
  /** As DirWatchOptions.retryMs; also the wait before a crashed thread is started again. Default 1000. */
  readonly retryMs?: number;
  /** As DirWatchOptions.foldMs. Default 0. */
  readonly foldMs?: number;
  /** The thread's sleep after a pass-on of writes, ms (0: reads at once, as the main loop would). Default 50. */
  readonly pauseMs?: number;
}

/** What the worker is started with (workerData). */
export interface WorkerSetup {
  readonly root: string;
  readonly retryMs?: number;
  readonly foldMs?: number;
  readonly pauseMs: number;
  /** Int32 flag: set non-zero (and notified) to cut a sleep short. */
  readonly wake: SharedArrayBuffer;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly path?: string;
  readonly code?: string;
  readonly events?: number;
  readonly queueLimit?: number;
}

export type ToWorker = { readonly t: 'close' };
export type FromWorker =
  | { readonly t: 'ready'; readonly watched: readonly string[] }
  | { readonly t: 'failed'; readonly error: SerializedError }
  | { readonly t: 'events'; readonly events: WatchEvent[]; readonly watched?: readonly string[] }
  | { readonly t: 'error'; readonly error: SerializedError; readonly watched?: readonly string[] };

/** Errors cross the thread as plain data (structured clone keeps neither class nor fields). */
export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const f = e as Error & Partial<Omit<SerializedError, 'name' | 'message'>>;
  return {
    name: e.name,
    message: e.message,
    path: f.path,
    code: f.code,
    events: f.events,
    queueLimit: f.queueLimit,
  };
}

/** The watcher's own error types come back as themselves, so consumers can tell them apart. */
export function deserializeError(s: SerializedError): Error {
  switch (s.name) {
    case 'DirWatchError':
      return new DirWatchError(s.path ?? '', s.code, s.message);
    case 'WatchOverflowError':
      return new WatchOverflowError(s.events ?? 0, s.queueLimit ?? 0);
    case 'WatchRootGoneError':
      return new WatchRootGoneError(s.path ?? '');
    default:
      return Object.assign(new Error(s.message), { name: s.name, code: s.code });
  }
}

/** A watcher thread that exited without being asked: changes may have gone unseen until its restart. */
export class WatchThreadError extends Error {
  override name = 'WatchThreadError';
}

/**
 * The compiled worker script. Under jest the sources run as TypeScript, and a worker thread does
 * not go through jest's transform: it runs the build's copy (npm test builds first).
 */
function workerScript(): string {
  const here = join(__dirname, 'dir-watch-worker.js');
  if (existsSync(here)) return here;
  const built = resolve(__dirname, '../../dist/adapters/watcher/dir-watch-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`watcher thread script not found (${here}, ${built}): build first (npm run build)`);
}

/**
 * subscribeDirs (fs.watch per directory) on a worker thread that reads inotify at most every
 * `pauseMs`. Same contract: resolves once every directory at the start is watched, rejects if one
 * cannot be. A thread that dies is reported (WatchThreadError: the consumer flushes) and started
 * again after `retryMs`.
 */
export async function subscribeDirsInThread(
  root: string,
  cb: WatchCallback,
  options: DirWatchThreadOptions = {},
): Promise<DirWatchSubscription> {
  const sub = new ThreadSubscription(resolve(root), cb, options);
  await sub.start();
  return sub;
}

class ThreadSubscription implements DirWatchSubscription {
  private worker?: Worker;
  private wake = new Int32Array(new SharedArrayBuffer(4));
  private list: readonly string[] = [];
  private closed = false;
  private restart?: NodeJS.Timeout;

  constructor(
    private readonly root: string,
    private readonly cb: WatchCallback,
    private readonly o: DirWatchThreadOptions,
  ) {}

  get watched(): readonly string[] {
    return this.list;
  }

  /** Starts a thread; resolves when it watches, rejects (and ends it) if it cannot. */
  start(): Promise<void> {
    this.wake = new Int32Array(new SharedArrayBuffer(4));
    const setup: WorkerSetup = {
      root: this.root,
      retryMs: this.o.retryMs,
      foldMs: this.o.foldMs,
      pauseMs: this.o.pauseMs ?? 50,
      wake: this.wake.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(workerScript(), { workerData: setup });
    worker.unref(); // as fs.watch with persistent: false, a watcher alone keeps no process alive
    this.worker = worker;
    return new Promise((resolveStart, rejectStart) => {
      let started = false;
      let crash: unknown;
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          started = true;
          this.list = m.watched;
          resolveStart();
        } else if (m.t === 'failed') rejectStart(deserializeError(m.error));
        else this.deliver(m);
      });
      worker.on('error', (err) => {
        crash = err;
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined;
        if (!started) rejectStart(crash ?? new WatchThreadError('watcher thread exited before it watched'));
        else if (!this.closed) this.died(crash);
      });
    });
  }

  async unsubscribe(): Promise<void> {
    this.closed = true;
    if (this.restart) clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    Atomics.store(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
    worker.postMessage({ t: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }

  private deliver(m: Extract<FromWorker, { t: 'events' | 'error' }>): void {
    if (this.closed) return;
    if (m.watched) this.list = m.watched;
    if (m.t === 'events') this.cb(null, m.events);
    else this.cb(deserializeError(m.error), []);
  }

  /** The thread ended on its own: whatever happened since is unseen; say so, then start another. */
  private died(cause: unknown): void {
    this.list = [];
    this.cb(new WatchThreadError('watcher thread exited; restarting it', { cause }), []);
    this.restartLater();
  }

  private restartLater(): void {
    this.restart = setTimeout(() => {
      this.restart = undefined;
      if (this.closed) return;
      this.start().catch((err: unknown) => {
        if (this.closed) return;
        this.cb(err instanceof Error ? err : new Error(String(err)), []);
        this.restartLater();
      });
    }, this.o.retryMs ?? 1000);
  }
}
