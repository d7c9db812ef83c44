import { asyncScheduler, BehaviorSubject, type Observable, type SchedulerLike } from 'rxjs';
import { ClientRegistry } from './client-registry';
import { ClientTable } from './client-table';
import { DeliveryHub } from './delivery/delivery-hub';
import type { Mutable } from './delivery/merge-invalidations';
import { ClosedError, InvalidArgumentError } from './errors';
import { ALL_FLAGS, UpcallFlags } from './flags';
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
import { filterXattrs, XATTR_FLAGS } from './xattr-filter';

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

/**
 * The upcall engine, embedded: GlusterFS's per-inode client table and notification rules
 * (DESIGN.md rules 1–8) in process, delivering through the shared DeliveryHub (per-client bounded
 * channels as RxJS observables). Several heads use the same hub over a store in Redis instead
 * (adapters/transport/redis).
 */
export class InMemoryUpcallCore<S = unknown> implements UpcallCore<S> {
  private readonly scheduler: SchedulerLike;
  private readonly clients = new ClientRegistry();
  private readonly table = new ClientTable((c, d) => this.clients.ref(c, d));
  private readonly hub: DeliveryHub<S>;
  private readonly reaper: Reaper;
  private readonly options$$: BehaviorSubject<UpcallOptions>;
  private timeoutMs: number;
  private enabled: boolean;
  private closed = false;
  /** Per-change dedupe: client index → the change serial it was last collected for. */
  private readonly collectedFor: number[] = [];
  private serial = 0;
  private readonly targets: number[] = [];
  private readonly collectTarget = (c: number): void => {
    if (this.collectedFor[c] === this.serial) return;
    this.collectedFor[c] = this.serial;
    this.targets.push(c);
  };

  constructor(cfg: UpcallCoreConfig = {}) {
    this.scheduler = cfg.scheduler ?? asyncScheduler;
    const capacity = cfg.queueCapacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError(`queueCapacity must be a positive integer, got ${cfg.queueCapacity}`);
    }
    const opts = resolveOptions(cfg.options ?? {}, DEFAULT_OPTIONS);
    this.options$$ = new BehaviorSubject(opts);
    this.enabled = opts['features.cache-invalidation'];
    this.timeoutMs = opts['features.cache-invalidation-timeout'] * 1000;
    this.hub = new DeliveryHub<S>(this.clients, {
      capacity,
      scheduler: cfg.deliveryScheduler,
      onSubscriberError: cfg.onSubscriberError,
    });
    this.reaper = new Reaper(this.table, this.scheduler, () => this.timeoutMs, this.hub.counters);
    if (this.enabled) this.reaper.start();
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
    this.hub.counters.changes++;
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
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      let flags = ev.flags;
      let xattrs = ev.xattrs;
      if ((flags & XATTR_FLAGS) !== 0) {
        // Rule 7: only the names this client asked for; none at all means no xattr news for it.
        const kept = filterXattrs(flags, xattrs, (names) => this.clients.matchXattrs(t, names));
        if (kept === undefined) continue;
        ({ flags, xattrs } = kept);
      }
      this.hub.deliver(t, this.invalidation(ev, flags, xattrs, origin, this.clients.idOf(t), now));
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
    return invalidationOf(ev, flags, xattrs, origin, target, this.timeoutMs / 1000, now);
  }

  forget(inode: InodeKey, origin: ClientId = ''): void {
    if (!this.enabled) return;
    const now = this.scheduler.now();
    const ev: ChangeEvent<S> = { inode, flags: UpcallFlags.FORGET };
    this.table.drop(inode, (t) => {
      this.hub.counters.forgets++;
      this.hub.deliver(
        t,
        this.invalidation(ev, UpcallFlags.FORGET, undefined, origin, this.clients.idOf(t), now),
      );
    });
  }

  registerXattrs(client: ClientId, patterns: readonly string[]): void {
    this.clients.registerXattrs(client, patterns);
  }

  unregisterXattrs(client: ClientId): void {
    this.clients.unregisterXattrs(client);
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
      this.hub.flushAllListening('reenabled', this.scheduler.now());
    } else if (oldTimeout !== this.timeoutMs) {
      this.reaper.start();
    }
    this.options$$.next(next);
    return next;
  }

  events(client: ClientId): Observable<Invalidation<S>> {
    return this.hub.events(client);
  }

  all(): Observable<Invalidation<S>> {
    return this.hub.all();
  }

  flushAll(client: ClientId, reason: FlushReason): void {
    this.hub.flushAll(client, reason, this.scheduler.now());
  }

  stats(): UpcallStats {
    return this.hub.counters.snapshot({
      trackedInodes: this.table.inodes,
      clientEntries: this.table.entries,
      clients: this.clients.size,
      subscribedClients: this.hub.subscribedClients,
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
    this.hub.close();
    this.options$$.complete();
    this.table.clear();
  }
}

export function createUpcallCore<S = unknown>(cfg: UpcallCoreConfig = {}): InMemoryUpcallCore<S> {
  return new InMemoryUpcallCore<S>(cfg);
}

/** The event one target receives for a change; shared by every core so all deliver the same shape. */
export function invalidationOf<S>(
  ev: ChangeEvent<S>,
  flags: number,
  xattrs: readonly string[] | undefined,
  origin: ClientId,
  target: ClientId,
  expireTimeAttr: number,
  at: number,
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
    expireTimeAttr,
    seq: 0,
    at,
  };
}
