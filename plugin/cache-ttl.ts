import type { Subscription } from 'rxjs';
import type { UpcallCore } from '../upcall-core';

/** How much earlier than the upcall timeout a cache entry must die (fill happens just after registration). */
export const TTL_MARGIN_MS = 50;

export interface TtlCapped {
  setTtlCap(capMs: number | undefined): void;
}

/**
 * DESIGN rule 6: a protocol cache may never keep an entry longer than the upcall timeout T —
 * past T the core stops notifying its holder, so serving it longer is the classic stale bug.
 * While invalidation is on, the cache's lifetime is capped just under T (T = 0 means no caching);
 * while it is off, the cache keeps its own lifetime and serves stale data up to it, as
 * NFS-Ganesha's MDCACHE does without upcalls.
 */
export function capCacheTtl(core: UpcallCore, cache: TtlCapped): Subscription {
  return core.options$().subscribe((o) => {
    const t = o['features.cache-invalidation-timeout'] * 1000;
    cache.setTtlCap(o['features.cache-invalidation'] ? Math.max(0, t - TTL_MARGIN_MS) : undefined);
  });
}
