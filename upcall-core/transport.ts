import type { UpcallOptions, UpcallOptionsInput } from './options';
import type { ChangeEvent, ClientId, InodeKey } from './types';

/**
 * The UpcallStore/Transport seam: where the client table lives and how deliveries travel when
 * it does not live in this process. Small on purpose (mqemitter's four methods are the model):
 * a store decides "who must be told" atomically and brings each decided invalidation back to
 * the head that owns its target, in order, numbered, so a gap is noticed. Everything else —
 * options, validation, rule 3 (atime), rule 7 (xattr patterns, per local client), channels,
 * coalescing, overflow, counters — is the core's (TransportUpcallCore) and the same for every
 * store. The in-process core does not go through this seam: its table is a typed array, and a
 * delivery an array index.
 *
 * Times are the store's clock, so heads on several machines agree on "recent".
 */
export interface UpcallTransport<S = unknown> {
  /** Starts the links; resolves when they are up (or rejects with a clear error). */
  start(sink: TransportSink<S>): Promise<void>;
  /**
   * Rule 1: registers or refreshes `client` on `inode`. May be batched and skipped while the
   * registration is fresh (see registrationLagMs), but never reordered after a later change().
   * Returns a promise while the registration is on its way: a read that awaits it before filling
   * a cache cannot miss a change that lands between its read and its registration.
   */
  touch(client: ClientId, inode: InodeKey, timeoutMs: number, fetched?: boolean): void | Promise<void>;
  /**
   * Rule 2 (+ entry changes reaching the parents' clients), decided atomically by the store:
   * refreshes the originator, notifies every other client seen within `timeoutMs`, deletes
   * entries older than twice that. Resolves with the number of targets, -1 when it could not be
   * published (link down: queued for later, the sink has been told `link(false)`). Never rejects.
   */
  change(origin: ClientId, event: ChangeEvent<S>, timeoutMs: number): Promise<number>;
  /** Rule 4: FORGET to every listed client, the inode's state dropped. Resolves like change(). */
  forget(inode: InodeKey, origin: ClientId): Promise<number>;
  /** Start/stop bringing back deliveries for `client` (its first subscriber came, its last went). */
  attach(client: ClientId): void;
  detach(client: ClientId): void;
  /** Forget what this head believes about freshness (invalidation turned off, timeout changed). */
  reset(): void;
  /** How much older than this head believes a registration may be in the store, for timeout T (ms). */
  registrationLagMs(timeoutMs: number): number;
  /** Registrations this head currently believes fresh (a gauge; optional). */
  freshRegistrations?(): number;
  /**
   * Tells every other head of this store that the options changed at run time (optional): they
   * apply them through TransportSink.options, so one head's reconfigure is every head's.
   */
  shareOptions?(options: UpcallOptions): void;
  /** Resolves once everything sent so far has been acknowledged by the store (tests, shutdown). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A change as the store hands it back: what the originator reported, who, and when (store clock, ms). */
export interface TransportedChange<S = unknown> extends ChangeEvent<S> {
  readonly origin: ClientId;
  readonly at: number;
}

/** What a transport calls back into the core with. */
export interface TransportSink<S = unknown> {
  /** An invalidation decided for local client `target`, in the store's order for that client. */
  receive(target: ClientId, change: TransportedChange<S>): void;
  /**
   * Deliveries for `target` (every attached client when undefined) may have been missed:
   * 'gap' when a numbered stream skipped (trimmed), 'transport-lost' when the store lost its state.
   */
  lost(target: ClientId | undefined, reason: 'gap' | 'transport-lost'): void;
  /** The link went down (caches must stop serving) or came back, resynchronised. */
  link(up: boolean): void;
  /** Another head changed the options at run time: apply them here too (not shared again). */
  options?(options: UpcallOptionsInput): void;
  /** This head's options now: what a store seeds its shared options with when it holds none. */
  currentOptions?(): UpcallOptions;
}
