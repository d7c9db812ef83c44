import type { Subscription } from 'rxjs';
import type { ClientId, Invalidation, UpcallCore } from '../../upcall-core';
import type { CacheAdapter } from '../cache-adapter';
import { applyPlan, evictionPlan } from '../eviction-plan';

export interface SmbAdapterOptions {
  /**
   * Told of each invalidation after the cache has been evicted: where CHANGE_NOTIFY completion
   * and lease breaks will hook in (DESIGN.md's "SMB clients" column). Errors are the caller's.
   */
  onInvalidation?: (ev: Invalidation) => void;
  /** Told after each event is applied (metrics, tests). */
  onApplied?: (kind: 'inode' | 'flush-all') => void;
}

/**
 * The SMB adapter: subscribes the SMB server's cache holder (e.g. `head-1/smb`) to its
 * invalidations and evicts from the SMB metadata cache exactly what each flag requires — the
 * same eviction plan as NFS, so the two protocols can never disagree on what a change means.
 * A change made through NFS, another head or the backend watcher thus reaches SMB's cache
 * before the next SMB request can be served from it.
 */
export function attachSmbAdapter(
  core: UpcallCore,
  client: ClientId,
  cache: CacheAdapter,
  opts: SmbAdapterOptions = {},
): Subscription {
  return core.events(client).subscribe((ev) => {
    applyPlan(cache, evictionPlan(ev));
    opts.onInvalidation?.(ev);
    opts.onApplied?.(ev.kind);
  });
}
