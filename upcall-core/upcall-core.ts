import { asapScheduler, asyncScheduler, BehaviorSubject, config, Observable, type SchedulerLike } from 'rxjs';
import { ClientRegistry } from './client-registry';
import { ClientTable } from './client-table';
import { Channel } from './delivery/channel';
import { Dispatcher } from './delivery/dispatcher';
import type { Mutable } from './delivery/merge-invalidations';
import { ClosedError, InvalidArgumentError } from './errors';
import { ALL_FLAGS, UpcallFlags } from './flags';
import { CoreCounters } from './metrics';
import { DEFAULT_OPTIONS, resolveOptions, type UpcallOptions, type UpcallOptionsInput } from './options';
import { Reaper } from './reaper';
import type {
  ChangeEvent,
  ClientId,
  FlushReason,
  InodeInvalidation,
  InodeKey,
  Invalidation,
  UpcallCore,
  UpcallStats,
} from './types';

export interface UpcallCoreConfig {
  options?: UpcallOptionsInput;
  /** Clock and timers (reaper). Default: asyncScheduler (Date.now, setTimeout). Tests pass a TestScheduler. */
  scheduler?: SchedulerLike;
  /** Where deliveries run. Default: asapScheduler — after `change()` returns, before further I/O. */
  deliveryScheduler?: SchedulerLike;
  /** Events a client may have waiting before they collapse into one flush-all. Default 10,000. */
  queueCapacity?: number;
  /** Called when a subscriber throws; the core counts it and goes on. */
  onSubscriberError?: (err: unknown) => void;
}

const DIR_ENTRY_FLAGS = UpcallFlags.PARENT_TIMES | UpcallFlags.RENAME;
const XATTR_FLAGS = UpcallFlags.XATTR | UpcallFlags.XATTR_RM;

/**
 * The upcall engine: GlusterFS's per-inode client table and notification rules (DESIGN.md rules
 * 1–8), delivering through per-client bounded channels as RxJS observables.
 */
export class InMemoryUpcallCore<S = unknown> implements UpcallCore<S> {
  private readonly scheduler: SchedulerLike;
  private readonly counters = new CoreCounters();
  private readonly clients = new ClientRegistry();
  private readonly table = new ClientTable((c, d) => this.clients.ref(c, d));
  private readonly channels: (Channel<S> | undefined)[] = [];
  private readonly allChannel: Channel<S>;
  private readonly dispatcher: Dispatcher;
  private readonly reaper: Reaper;
  private readonly options$$: BehaviorSubject<UpcallOptions>;
  private readonly capacity: number;
  private timeoutMs: number;
  private enabled: boolean;
  private closed = false;
  /** Per-change dedupe: client index → the change serial it was last collected for. */
  private readonly collectedFor: number[] = [];
  private serial = 0;
  private readonly errorListener: (err: unknown) => void;
  private readonly targets: number[] = [];
  private readonly collectTarget = (c: number): void => {
    if (this.collectedFor[c] === this.serial) return;
    this.collectedFor[c] = this.serial;
    this.targets.push(c);
  };

  constructor(cfg: UpcallCoreConfig = {}) {
    this.scheduler = cfg.scheduler ?? asyncScheduler;
    this.capacity = cfg.queueCapacity ?? 10_000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new InvalidArgumentError(`queueCapacity must be a positive integer, got ${cfg.queueCapacity}`);
    }
    const opts = resolveOptions(cfg.options ?? {}, DEFAULT_OPTIONS);
    this.options$$ = new BehaviorSubject(opts);
    this.enabled = opts['features.cache-invalidation'];
    this.timeoutMs = opts['features.cache-invalidation-timeout'] * 1000;
    this.allChannel = new Channel<S>('*', this.capacity, false, this.counters);
    this.dispatcher = new Dispatcher(cfg.deliveryScheduler ?? asapScheduler, () => {});
    this.reaper = new Reaper(this.table, this.scheduler, () => this.timeoutMs, this.counters);
    if (this.enabled) this.reaper.start();
    this.errorListener = (err) => {
      this.counters.subscriberErrors++;
      cfg.onSubscriberError?.(err);
    };
    subscriberErrorListeners.add(this.errorListener);
    installSubscriberErrorHandler();
  }

  get options(): UpcallOptions {
    return this.options$$.value;
  }

  options$(): Observable<UpcallOptions> {
    return this.options$$.asObservable();
  }

  access(client: ClientId, inode: InodeKey): void {
    if (!this.enabled) return;
    this.table.touch(this.clients.intern(client), inode, this.scheduler.now());
  }

  change(origin: ClientId, ev: ChangeEvent<S>): void {
    if (this.closed) throw new ClosedError();
    if ((ev.flags & ~ALL_FLAGS) !== 0 || ev.flags === 0) {
      throw new InvalidArgumentError(`change of ${ev.inode}: invalid flags 0x${ev.flags.toString(16)}`);
    }
    if (!this.enabled) return;
    const now = this.scheduler.now();
    const o = this.clients.intern(origin);
    this.counters.changes++;
    // Rule 3: atime alone only refreshes the originator.
    if (ev.flags !== UpcallFlags.ATIME) this.notifyOthers(o, origin, ev, now);
    this.table.touch(o, ev.inode, now);
  }

  private notifyOthers(o: number, origin: ClientId, ev: ChangeEvent<S>, now: number): void {
    this.serial++;
    const targets = this.targets;
    targets.length = 0;
    this.table.collect(ev.inode, o, now, this.timeoutMs, this.collectTarget);
    // Better than GlusterFS (its issue #933): entry changes also reach the parents' recent clients.
    if ((ev.flags & DIR_ENTRY_FLAGS) !== 0 || ev.name !== undefined) {
      if (ev.parent !== undefined && ev.parent !== ev.inode) {
        this.table.collect(ev.parent, o, now, this.timeoutMs, this.collectTarget);
        this.table.touch(o, ev.parent, now);
      }
      if (ev.oldParent !== undefined && ev.oldParent !== ev.parent) {
        this.table.collect(ev.oldParent, o, now, this.timeoutMs, this.collectTarget);
        this.table.touch(o, ev.oldParent, now);
      }
    }
    const xattrOnly = (ev.flags & ~XATTR_FLAGS) === 0;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      let flags = ev.flags;
      let xattrs = ev.xattrs;
      if ((flags & XATTR_FLAGS) !== 0) {
        // Rule 7: only the names this client asked for; none at all means no xattr news for it.
        xattrs = this.clients.matchXattrs(t, ev.xattrs ?? []);
        if (xattrs.length === 0) {
          if (xattrOnly) continue;
          flags &= ~XATTR_FLAGS;
          xattrs = undefined;
        }
      }
      this.deliver(t, this.invalidation(ev, flags, xattrs, origin, this.clients.idOf(t), now));
    }
  }

  private invalidation(
    ev: ChangeEvent<S>,
    flags: number,
    xattrs: readonly string[] | undefined,
    origin: ClientId,
    target: ClientId,
    now: number,
  ): Mutable<InodeInvalidation<S>> {
    return {
      kind: 'inode',
      inode: ev.inode,
      flags,
      stat: ev.stat,
      parent: ev.parent,
      parentStat: ev.parentStat,
      name: ev.name,
      oldParent: ev.oldParent,
      oldParentStat: ev.oldParentStat,
      oldName: ev.oldName,
      xattrs,
      origin,
      target,
      expireTimeAttr: this.timeoutMs / 1000,
      seq: 0,
      at: now,
    };
  }

  private deliver(t: number, ev: Mutable<InodeInvalidation<S>>): void {
    this.counters.countNotification(ev.flags);
    const ch = this.channels[t];
    if (ch?.listening) {
      ch.offer(ev);
      this.dispatcher.markDirty(ch as Channel<unknown>);
    } else {
      this.counters.undeliverable++;
    }
    if (this.allChannel.listening) {
      // The per-client queue may still merge into `ev`, so the all-stream gets its own copy.
      this.allChannel.offer(ch?.listening ? { ...ev } : ev);
      this.dispatcher.markDirty(this.allChannel as Channel<unknown>);
    }
  }

  forget(inode: InodeKey, origin: ClientId = ''): void {
    if (!this.enabled) return;
    const now = this.scheduler.now();
    const ev: ChangeEvent<S> = { inode, flags: UpcallFlags.FORGET };
    this.table.drop(inode, (t) => {
      this.counters.forgets++;
      this.deliver(
        t,
        this.invalidation(ev, UpcallFlags.FORGET, undefined, origin, this.clients.idOf(t), now),
      );
    });
  }

  registerXattrs(client: ClientId, patterns: readonly string[]): void {
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p.length === 0)) {
      throw new InvalidArgumentError('xattr patterns must be non-empty strings');
    }
    this.clients.setXattrs(this.clients.intern(client), patterns);
  }

  unregisterXattrs(client: ClientId): void {
    const i = this.clients.lookup(client);
    if (i !== undefined) this.clients.clearXattrs(i);
  }

  reconfigure(input: UpcallOptionsInput): UpcallOptions {
    const next = resolveOptions(input, this.options);
    const wasEnabled = this.enabled;
    const oldTimeout = this.timeoutMs;
    this.enabled = next['features.cache-invalidation'];
    this.timeoutMs = next['features.cache-invalidation-timeout'] * 1000;
    if (!this.enabled) {
      this.reaper.stop();
      this.table.clear();
    } else if (!wasEnabled) {
      this.reaper.start();
      // Caches filled while we were off were never registered: make them start over.
      this.channels.forEach((ch, i) => {
        if (ch?.listening) this.flushAll(this.clients.idOf(i), 'reenabled');
      });
    } else if (oldTimeout !== this.timeoutMs) {
      this.reaper.start();
    }
    this.options$$.next(next);
    return next;
  }

  events(client: ClientId): Observable<Invalidation<S>> {
    return new Observable<Invalidation<S>>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return;
      }
      const i = this.clients.intern(client);
      this.clients.ref(i, 1);
      let ch = this.channels[i];
      if (ch === undefined) {
        ch = new Channel<S>(client, this.capacity, true, this.counters);
        this.channels[i] = ch;
      }
      const channel = ch;
      channel.add(subscriber);
      return () => {
        channel.remove(subscriber);
        if (channel.idle && this.channels[i] === channel) this.channels[i] = undefined;
        this.clients.ref(i, -1);
      };
    });
  }

  all(): Observable<Invalidation<S>> {
    return new Observable<Invalidation<S>>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return;
      }
      this.allChannel.add(subscriber);
      return () => this.allChannel.remove(subscriber);
    });
  }

  flushAll(client: ClientId, reason: FlushReason): void {
    const i = this.clients.lookup(client);
    const ch = i === undefined ? undefined : this.channels[i];
    if (i === undefined || !ch?.listening) return;
    this.counters.flushAll++;
    ch.flushAll(reason, this.scheduler.now());
    this.dispatcher.markDirty(ch as Channel<unknown>);
  }

  stats(): UpcallStats {
    return this.counters.snapshot({
      trackedInodes: this.table.inodes,
      clientEntries: this.table.entries,
      clients: this.clients.size,
      subscribedClients: this.channels.filter((c) => c?.listening).length,
    });
  }

  /** Test and diagnostic view of the table: `client`'s last access on `inode`, in ms. */
  lastAccess(client: ClientId, inode: InodeKey): number | undefined {
    const i = this.clients.lookup(client);
    return i === undefined ? undefined : this.table.lastAccess(i, inode);
  }

  /** Delivers what is queued, stops the reaper, completes every stream. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reaper.stop();
    this.dispatcher.drain();
    this.dispatcher.cancel();
    this.options$$.complete();
    for (const ch of [...this.channels, this.allChannel]) ch?.complete();
    this.channels.length = 0;
    this.table.clear();
    subscriberErrorListeners.delete(this.errorListener);
  }
}

export function createUpcallCore<S = unknown>(cfg: UpcallCoreConfig = {}): InMemoryUpcallCore<S> {
  return new InMemoryUpcallCore<S>(cfg);
}

const subscriberErrorListeners = new Set<(err: unknown) => void>();
let handlerInstalled = false;

/**
 * RxJS reports an error thrown by a subscriber's `next` asynchronously through
 * `config.onUnhandledError`, and with none set it rethrows from a timer — which would crash a
 * Node process. A gateway must not die because one adapter misbehaved, so the first core
 * installs one handler (chaining any installed before) that tells every live core, which counts
 * the error and goes on. A process normally has one core, so the count is exact there.
 */
function installSubscriberErrorHandler(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  const previous = config.onUnhandledError;
  config.onUnhandledError = (err: unknown) => {
    for (const listener of subscriberErrorListeners) listener(err);
    previous?.(err);
  };
}
