import { BehaviorSubject, distinctUntilChanged, type Observable, type SchedulerLike } from 'rxjs';
import { ClientRegistry } from './client-registry';
import { DeliveryHub } from './delivery/delivery-hub';
import { ClosedError, InvalidArgumentError } from './errors';
import { ALL_FLAGS, UpcallFlags } from './flags';
import { CoreCounters } from './metrics';
import { DEFAULT_OPTIONS, resolveOptions, type UpcallOptions, type UpcallOptionsInput } from './options';
import type { TransportedChange, TransportSink, UpcallTransport } from './transport';
import type {
  CacheLimits,
  ChangeEvent,
  ClientId,
  FlushReason,
  InodeKey,
  Invalidation,
  LinkState,
  UpcallCore,
  UpcallStats,
} from './types';
import { invalidationOf } from './upcall-core';
import { filterXattrs, XATTR_FLAGS } from './xattr-filter';

export interface TransportCoreConfig {
  options?: UpcallOptionsInput;
  /** Events a client may have waiting before they collapse into one flush-all. Default 10,000. */
  queueCapacity?: number;
  /** Where deliveries run. Default: asapScheduler. */
  deliveryScheduler?: SchedulerLike;
  onSubscriberError?: (err: unknown) => void;
  /** Told of every invalidation received for a local client: its flags and its lag (store clock → here, ms). */
  onReceived?: (flags: number, lagMs: number) => void;
}

/** Wall clock with sub-ms resolution, comparable with the store's TIME on one machine. */
const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * The core of a head whose client table lives in a shared store (UpcallTransport): the same
 * public API and the same delivery half (DeliveryHub) as the in-process core, with the rules
 * split where they belong — the store decides who must be told (rules 2, 4, 5, entry changes),
 * this head applies what is per head: the options, rule 3, rule 7 (xattr patterns are per local
 * client), channels, coalescing and overflow, flush-all when the transport may have lost events.
 */
export class TransportUpcallCore<S = unknown> implements UpcallCore<S> {
  private readonly clients = new ClientRegistry();
  private readonly hub: DeliveryHub<S>;
  /** Notifications this head published (targets decided by the store), by flags. */
  private readonly sent = new CoreCounters();
  private readonly options$$: BehaviorSubject<UpcallOptions>;
  private readonly link$ = new BehaviorSubject<boolean>(false);
  private timeoutMs: number;
  private enabled: boolean;
  private closed = false;
  private publishFailures = 0;
  readonly cacheLimits: CacheLimits;

  constructor(
    private readonly transport: UpcallTransport<S>,
    private readonly cfg: TransportCoreConfig = {},
  ) {
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
      onAttach: (c) => transport.attach(c),
      onDetach: (c) => transport.detach(c),
    });
    this.cacheLimits = {
      registrationLagMs: (t) => transport.registrationLagMs(t),
      coherent$: () => this.link$.pipe(distinctUntilChanged()),
    };
  }

  /** Starts the transport (links up, resynchronised); rejects with the transport's error. */
  async start(): Promise<this> {
    const sink: TransportSink<S> = {
      receive: (target, change) => this.receive(target, change),
      lost: (target, reason) => this.lost(target, reason),
      link: (up) => {
        if (!this.closed) this.link$.next(up);
      },
      options: (o) => {
        if (!this.closed) this.apply(o);
      },
      currentOptions: () => this.options,
    };
    await this.transport.start(sink);
    return this;
  }

  get options(): UpcallOptions {
    return this.options$$.value;
  }

  options$(): Observable<UpcallOptions> {
    return this.options$$.asObservable();
  }

  access(client: ClientId, inode: InodeKey, fetched = false): void | Promise<void> {
    if (this.enabled && !this.closed) return this.transport.touch(client, inode, this.timeoutMs, fetched);
  }

  change(origin: ClientId, ev: ChangeEvent<S>): Promise<void> | undefined {
    if (this.closed) throw new ClosedError();
    if ((ev.flags & ~ALL_FLAGS) !== 0 || ev.flags === 0) {
      throw new InvalidArgumentError(`change of ${ev.inode}: invalid flags 0x${ev.flags.toString(16)}`);
    }
    if (!this.enabled) return undefined;
    this.hub.counters.changes++;
    // Rule 3: atime alone only refreshes the originator.
    if (ev.flags === UpcallFlags.ATIME) {
      this.transport.touch(origin, ev.inode, this.timeoutMs);
      return undefined;
    }
    return this.transport.change(origin, ev, this.timeoutMs).then((n) => this.published(ev.flags, n));
  }

  forget(inode: InodeKey, origin: ClientId = ''): Promise<void> | undefined {
    if (!this.enabled || this.closed) return undefined;
    return this.transport.forget(inode, origin).then((n) => this.published(UpcallFlags.FORGET, n));
  }

  private published(flags: number, targets: number): void {
    if (targets < 0) this.publishFailures++;
    else if (targets > 0) this.sent.countNotification(flags, targets);
  }

  private receive(target: ClientId, change: TransportedChange<S>): void {
    if (this.closed || !this.enabled) return; // off: re-enabling flushes every cache anyway
    let flags = change.flags;
    let xattrs = change.xattrs;
    const t = this.clients.lookup(target);
    if ((flags & XATTR_FLAGS) !== 0) {
      // Rule 7 on the receiving head: the patterns are this head's clients'.
      const kept = filterXattrs(flags, xattrs, (names) =>
        t === undefined ? [] : this.clients.matchXattrs(t, names),
      );
      if (kept === undefined) return;
      ({ flags, xattrs } = kept);
    }
    this.cfg.onReceived?.(flags, preciseNow() - change.at);
    if (flags & UpcallFlags.FORGET) this.hub.counters.forgets++;
    if (t === undefined) {
      this.hub.counters.countNotification(flags);
      this.hub.counters.undeliverable++;
      return;
    }
    const inv = invalidationOf(
      change,
      flags,
      xattrs,
      change.origin,
      target,
      this.timeoutMs / 1000,
      change.at,
    );
    this.hub.deliver(t, inv);
  }

  private lost(target: ClientId | undefined, reason: 'gap' | 'transport-lost'): void {
    if (this.closed) return;
    if (target === undefined) this.hub.flushAllListening(reason, Date.now());
    else this.hub.flushAll(target, reason, Date.now());
  }

  registerXattrs(client: ClientId, patterns: readonly string[]): void {
    this.clients.registerXattrs(client, patterns);
  }

  unregisterXattrs(client: ClientId): void {
    this.clients.unregisterXattrs(client);
  }

  /** Applies `input` here and, through the store, on every other head. */
  reconfigure(input: UpcallOptionsInput): UpcallOptions {
    const next = this.apply(input);
    this.transport.shareOptions?.(next);
    return next;
  }

  private apply(input: UpcallOptionsInput): UpcallOptions {
    const next = resolveOptions(input, this.options);
    const wasEnabled = this.enabled;
    const oldTimeout = this.timeoutMs;
    this.enabled = next['features.cache-invalidation'];
    this.timeoutMs = next['features.cache-invalidation-timeout'] * 1000;
    // The table is shared with other heads: this head only stops refreshing; its entries expire in 2T.
    if (!this.enabled || oldTimeout !== this.timeoutMs) this.transport.reset();
    // Caches filled while we were off were never registered: make them start over.
    if (this.enabled && !wasEnabled) this.hub.flushAllListening('reenabled', Date.now());
    this.options$$.next(next);
    return next;
  }

  events(client: ClientId): Observable<Invalidation<S>> {
    return this.hub.events(client);
  }

  /** Every invalidation received for this head's subscribed clients (the store routes the rest elsewhere). */
  all(): Observable<Invalidation<S>> {
    return this.hub.all();
  }

  flushAll(client: ClientId, reason: FlushReason): void {
    this.hub.flushAll(client, reason, Date.now());
  }

  get linkState(): LinkState {
    return this.closed ? 'closed' : this.link$.value ? 'up' : 'down';
  }

  /**
   * Counters of this head. `notifications`/`notificationsByFlag` count what this head published
   * (targets decided by the store), `received*` what it was delivered; `trackedInodes` and
   * `clientEntries` are the registrations this head keeps fresh (store-wide counts cost a scan).
   */
  stats(): UpcallStats {
    const mine = this.hub.counters.snapshot({
      trackedInodes: this.transportGauge(),
      clientEntries: this.transportGauge(),
      clients: this.clients.size,
      subscribedClients: this.hub.subscribedClients,
    });
    return {
      ...mine,
      notifications: this.sent.notifications,
      notificationsByFlag: this.sent.byFlagName(),
      received: mine.notifications,
      receivedByFlag: mine.notificationsByFlag,
      publishFailures: this.publishFailures,
      link: this.linkState,
    };
  }

  private transportGauge(): number {
    return this.transport.freshRegistrations?.() ?? 0;
  }

  /** Resolves once everything this head sent has been acknowledged by the store. */
  sync(): Promise<void> {
    return this.transport.sync();
  }

  /** Delivers what is queued, completes every stream, closes the links. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    this.options$$.complete();
    this.link$.next(false);
    this.link$.complete();
    await this.transport.close();
  }
}
