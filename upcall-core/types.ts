import type { Observable } from 'rxjs';
import type { UpcallOptions, UpcallOptionsInput } from './options';

/**
 * Stable backend identity of an object (fsid + inode number [+ generation]); never a path.
 * A number (e.g. the inode number, with one core per export) is the fastest key; a string works too.
 */
export type InodeKey = string | number;

/** An opaque id of one cache holder, e.g. `head-1/nfs`, `head-1/smb`, an SMB lease owner. */
export type ClientId = string;

/**
 * What a modifying fop reports. `stat` is the post-op state of `inode`; for directory-entry
 * changes `parent`/`name` (and `oldParent`/`oldName` on rename) say which entries moved, so
 * adapters can drop exact dentries and SMB can answer CHANGE_NOTIFY with names.
 */
export interface ChangeEvent<S = unknown> {
  readonly inode: InodeKey;
  readonly flags: number;
  readonly stat?: S;
  readonly parent?: InodeKey;
  readonly parentStat?: S;
  readonly name?: string;
  readonly oldParent?: InodeKey;
  readonly oldParentStat?: S;
  readonly oldName?: string;
  /** Names of the xattrs set or removed (XATTR / XATTR_RM), filtered per client by its patterns. */
  readonly xattrs?: readonly string[];
  /**
   * A create (the event is on the directory): the new object and its post-op state. Nothing is
   * sent for it (nobody can hold a new object); the export watcher's noting uses it to tell the
   * gateway's own follow-ups of a create (fchown, fchmod) from another program's modify.
   */
  readonly created?: InodeKey;
  readonly createdStat?: S;
}

/** An invalidation of one inode, as one client receives it. */
export interface InodeInvalidation<S = unknown> extends ChangeEvent<S> {
  readonly kind: 'inode';
  /** The client whose change caused this. */
  readonly origin: ClientId;
  /** The client this event is for. */
  readonly target: ClientId;
  /** Seconds the receiver may keep attributes it refreshes from `stat` (GlusterFS expire_time_attr). */
  readonly expireTimeAttr: number;
  /** Sequence number within the stream it is read from (per target, or the all() stream): a gap means loss. */
  readonly seq: number;
  /** Clock time of the change, in ms. */
  readonly at: number;
}

export type FlushReason = 'overflow' | 'reenabled' | 'transport-lost' | 'gap';

/** "Drop everything you cached": sent instead of events that could not be delivered one by one. */
export interface FlushAll {
  readonly kind: 'flush-all';
  readonly reason: FlushReason;
  readonly target: ClientId;
  readonly seq: number;
  readonly at: number;
}

export type Invalidation<S = unknown> = InodeInvalidation<S> | FlushAll;

/** Counters of the core; a snapshot, cheap to take. */
export interface UpcallStats {
  trackedInodes: number;
  clientEntries: number;
  clients: number;
  subscribedClients: number;
  changes: number;
  notifications: number;
  /** Notifications counted once per flag bit they carry, keyed by flag name. */
  notificationsByFlag: Record<string, number>;
  coalesced: number;
  overflowed: number;
  flushAll: number;
  forgets: number;
  reapedEntries: number;
  reapedInodes: number;
  reaperPasses: number;
  /** Events for clients with no subscriber at delivery time. */
  undeliverable: number;
  subscriberErrors: number;
  /** Stores outside the process only: invalidations received for local clients, and by flag. */
  received?: number;
  receivedByFlag?: Record<string, number>;
  /** Stores outside the process only: changes that could not be published (link down, errors). */
  publishFailures?: number;
  /** Stores outside the process only: state of the link to the store. */
  link?: LinkState;
}

/** The link of a core to a store outside the process (several heads). */
export type LinkState = 'up' | 'down' | 'closed';

/**
 * What a cache fed by a core must respect beyond the two options. An in-process core has no
 * such limits; a core over a shared store (Redis) does: its registrations are refreshed lazily,
 * and while its link is down it cannot hear invalidations at all.
 */
export interface CacheLimits {
  /** How much older than the head believes a registration may be in the store, for a timeout T (ms). */
  registrationLagMs(timeoutMs: number): number;
  /** false while invalidations may be missed (link down): caches must not serve entries then. */
  coherent$(): Observable<boolean>;
}

/** The seam protocol servers and transports see. */
export interface UpcallCore<S = unknown> {
  /**
   * Rule 1: a read-type fop by `client` registers or refreshes it on `inode`. A core over a shared
   * store may return a promise, settled once other heads can see the registration: a fop awaits
   * it before reading, so nothing it caches predates the registration. Never rejects.
   * `fetched`: the caller read the object before it could register (it was first met in a
   * reply: a lookup's child, a readdirplus entry). A store that left changes out for this client
   * (told once, quiet writes) then evicts it once more before the promise settles; a read that
   * registers first fetches after them and needs no such eviction.
   */
  access(client: ClientId, inode: InodeKey, fetched?: boolean): void | Promise<void>;
  /**
   * Rule 2: a modifying fop by `origin`; every other recent client is told, asynchronously.
   * A core whose table lives outside the process returns a promise that settles once the store
   * has decided who must be told (delivery itself stays asynchronous): a fop that awaits it before
   * replying guarantees that a read sent to another head after the reply finds its cache evicted.
   * The in-process core decides at once and returns nothing. The promise never rejects.
   */
  change(origin: ClientId, event: ChangeEvent<S>): void | Promise<void>;
  /** Rule 4: the object is gone; FORGET goes to every listed client, and its state is dropped. Same promise as change(). */
  forget(inode: InodeKey, origin?: ClientId): void | Promise<void>;
  /** Rule 7: the xattr name globs `client` caches; replaces earlier ones. */
  registerXattrs(client: ClientId, patterns: readonly string[]): void;
  unregisterXattrs(client: ClientId): void;
  reconfigure(input: UpcallOptionsInput): UpcallOptions;
  readonly options: UpcallOptions;
  /** Current options now and on every change (caches cap their lifetime at the timeout). */
  options$(): Observable<UpcallOptions>;
  /** Invalidations for one client. Cost per event does not depend on how many clients listen. */
  events(client: ClientId): Observable<Invalidation<S>>;
  /** Every invalidation for every client (monitoring, transports). */
  all(): Observable<Invalidation<S>>;
  /** Tell a subscribed client to drop everything (e.g. its transport lost events). */
  flushAll(client: ClientId, reason: FlushReason): void;
  stats(): UpcallStats;
  /** Present on cores over a shared store: what caches must respect beyond the options (plugin/cache-ttl.ts). */
  readonly cacheLimits?: CacheLimits;
  close(): void;
}
