import { asapScheduler, config, Observable, type SchedulerLike } from 'rxjs';
import type { ClientRegistry } from '../client-registry';
import { CoreCounters } from '../metrics';
import type { ClientId, FlushReason, InodeInvalidation, Invalidation } from '../types';
import { Channel } from './channel';
import { Dispatcher } from './dispatcher';
import type { Mutable } from './merge-invalidations';

export interface DeliveryHubConfig {
  /** Events a client may have waiting before they collapse into one flush-all. */
  readonly capacity: number;
  /** Where deliveries run. Default: asapScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Called when a subscriber throws; the hub counts it and goes on. */
  readonly onSubscriberError?: (err: unknown) => void;
  /** A client got its first subscriber (a transport starts reading its deliveries). */
  readonly onAttach?: (client: ClientId) => void;
  /** A client lost its last subscriber. */
  readonly onDetach?: (client: ClientId) => void;
}

/**
 * The delivery half of a core, shared by every store: per-client bounded channels drained by
 * one dispatcher, the all() stream, flush-all, and the counters. Whoever decides "who must be
 * told" (the in-process client table, or a script in Redis) hands each invalidation to
 * `deliver`; from here on the path is the same, so coalescing, overflow and subscriber-error
 * handling behave identically whatever the store.
 *
 * Clients are the registry's small integers: the in-process table shares the registry with the
 * hub, so a delivery is an array index, never a string lookup.
 */
export class DeliveryHub<S> {
  readonly counters = new CoreCounters();
  private readonly channels: (Channel<S> | undefined)[] = [];
  private readonly allChannel: Channel<S>;
  private readonly dispatcher: Dispatcher;
  private readonly errorListener: (err: unknown) => void;
  private closed = false;

  constructor(
    private readonly clients: ClientRegistry,
    private readonly cfg: DeliveryHubConfig,
  ) {
    this.allChannel = new Channel<S>('*', cfg.capacity, false, this.counters);
    this.dispatcher = new Dispatcher(cfg.scheduler ?? asapScheduler, () => {});
    this.errorListener = (err) => {
      this.counters.subscriberErrors++;
      cfg.onSubscriberError?.(err);
    };
    subscriberErrorListeners.add(this.errorListener);
    installSubscriberErrorHandler();
  }

  /** Whether client `t` has a subscriber now. */
  listening(t: number): boolean {
    return this.channels[t]?.listening === true;
  }

  get subscribedClients(): number {
    let n = 0;
    for (const ch of this.channels) if (ch?.listening) n++;
    return n;
  }

  /** Queues `ev` for client `t` (and the all() stream); counted even when nobody listens. */
  deliver(t: number, ev: Mutable<InodeInvalidation<S>>): void {
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
        ch = new Channel<S>(client, this.cfg.capacity, true, this.counters);
        this.channels[i] = ch;
      }
      const channel = ch;
      const first = !channel.listening;
      channel.add(subscriber);
      if (first) this.cfg.onAttach?.(client);
      return () => {
        channel.remove(subscriber);
        if (!channel.listening && !this.closed) this.cfg.onDetach?.(client);
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

  /** Tells subscribed client `client` to drop everything; false when it has no subscriber. */
  flushAll(client: ClientId, reason: FlushReason, now: number): boolean {
    const i = this.clients.lookup(client);
    const ch = i === undefined ? undefined : this.channels[i];
    if (i === undefined || !ch?.listening) return false;
    this.counters.flushAll++;
    ch.flushAll(reason, now);
    this.dispatcher.markDirty(ch as Channel<unknown>);
    return true;
  }

  /** flushAll for every subscribed client. */
  flushAllListening(reason: FlushReason, now: number): void {
    this.channels.forEach((ch, i) => {
      if (ch?.listening) this.flushAll(this.clients.idOf(i), reason, now);
    });
  }

  /** Delivers what is queued, completes every stream. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dispatcher.drain();
    this.dispatcher.cancel();
    for (const ch of [...this.channels, this.allChannel]) ch?.complete();
    this.channels.length = 0;
    subscriberErrorListeners.delete(this.errorListener);
  }
}

const subscriberErrorListeners = new Set<(err: unknown) => void>();
let handlerInstalled = false;

/**
 * RxJS reports an error thrown by a subscriber's `next` asynchronously through
 * `config.onUnhandledError`, and with none set it rethrows from a timer — which would crash a
 * Node process. A gateway must not die because one adapter misbehaved, so the first hub
 * installs one handler (chaining any installed before) that tells every live hub, which counts
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
