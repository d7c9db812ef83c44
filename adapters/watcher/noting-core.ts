import type { Observable } from 'rxjs';
import type { Attrs } from '../../gateway/backend/attrs';
import type {
  CacheLimits,
  ChangeEvent,
  ClientId,
  FlushReason,
  InodeKey,
  Invalidation,
  UpcallCore,
  UpcallOptions,
  UpcallOptionsInput,
  UpcallStats,
} from '../../upcall-core';
import type { RecentChanges } from './recent-changes';

/**
 * The gateway's side of the RecentChanges seam, as a core decorator: every change the plugin
 * reports (with its post-op attributes, parents and names) is noted before it goes to the real
 * core. Handing the frontends this core instead of the real one needs no change to the plugin or
 * the caches, and notes exactly what the plugin reports — the gateway's own changes.
 *
 * While cache invalidation is off nothing is noted: the watcher drops its events then (see
 * ExportWatcher), so a note would only cost the write path a map entry and a Redis write. A write
 * made just before the option comes back on reaches the watcher un-noted: one extra eviction.
 */
export function notingCore(core: UpcallCore<Attrs>, recent: RecentChanges): UpcallCore<Attrs> {
  return new NotingCore(core, recent);
}

class NotingCore implements UpcallCore<Attrs> {
  readonly cacheLimits?: CacheLimits;

  constructor(
    private readonly inner: UpcallCore<Attrs>,
    private readonly recent: RecentChanges,
  ) {
    if (inner.cacheLimits) this.cacheLimits = inner.cacheLimits;
  }

  /** Read per call, not cached: options change at run time and the getter is a field read. */
  private get noting(): boolean {
    return this.inner.options['features.cache-invalidation'];
  }

  change(origin: ClientId, ev: ChangeEvent<Attrs>): void | Promise<void> {
    if (this.noting) this.note(ev);
    return this.inner.change(origin, ev);
  }

  private note(ev: ChangeEvent<Attrs>): void {
    const r = this.recent;
    r.note(ev.inode, ev.stat);
    if (ev.parent !== undefined) {
      r.note(ev.parent, ev.parentStat);
      if (ev.name !== undefined) r.noteEntry(ev.parent, ev.name);
    } else if (ev.name !== undefined) {
      r.noteEntry(ev.inode, ev.name); // create: the event is on the directory
    }
    // The new object as the create left it: its IN_ATTRIBs (fchown, fchmod) are the gateway's too.
    if (ev.created !== undefined) r.note(ev.created, ev.createdStat);
    if (ev.oldParent !== undefined) {
      r.note(ev.oldParent, ev.oldParentStat);
      if (ev.oldName !== undefined) r.noteEntry(ev.oldParent, ev.oldName);
    }
  }

  forget(inode: InodeKey, origin?: ClientId): void | Promise<void> {
    if (this.noting) this.recent.note(inode, undefined);
    return this.inner.forget(inode, origin);
  }

  access(client: ClientId, inode: InodeKey, fetched?: boolean): void | Promise<void> {
    return this.inner.access(client, inode, fetched);
  }
  registerXattrs(client: ClientId, patterns: readonly string[]): void {
    this.inner.registerXattrs(client, patterns);
  }
  unregisterXattrs(client: ClientId): void {
    this.inner.unregisterXattrs(client);
  }
  reconfigure(input: UpcallOptionsInput): UpcallOptions {
    return this.inner.reconfigure(input);
  }
  get options(): UpcallOptions {
    return this.inner.options;
  }
  options$(): Observable<UpcallOptions> {
    return this.inner.options$();
  }
  events(client: ClientId): Observable<Invalidation<Attrs>> {
    return this.inner.events(client);
  }
  all(): Observable<Invalidation<Attrs>> {
    return this.inner.all();
  }
  flushAll(client: ClientId, reason: FlushReason): void {
    this.inner.flushAll(client, reason);
  }
  stats(): UpcallStats {
    return this.inner.stats();
  }
  close(): void {
    this.inner.close();
  }
}
