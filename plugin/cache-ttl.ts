import { combineLatest, of, type Subscription } from 'rxjs';
import type { CacheLimits, UpcallCore } from '../upcall-core';

/** How much earlier than the upcall timeout a cache entry must die (fill happens just after registration). */
export const TTL_MARGIN_MS = 50;

export interface TtlCapped {
  setTtlCap(capMs: number | undefined): void;
  /** Drops every entry; called when the cap shrinks, so no entry outlives the new one. */
  flushAll?(): void;
}

/**
 * DESIGN rule 6: a protocol cache may never keep an entry longer than the upcall timeout T —
 * past T the core stops notifying its holder, so serving it longer is the classic stale bug.
 * While invalidation is on, the cache's lifetime is capped just under T (T = 0 means no caching);
 * while it is off, the cache keeps its own lifetime and serves stale data up to it, as
 * NFS-Ganesha's MDCACHE does without upcalls.
 *
 * A core over a shared store (several heads, Redis) adds two limits (`limits`, default the
 * core's own `cacheLimits`):
 * - registration lag: such a core refreshes a registration at most every L (T/2 for Redis) so
 *   reads cost no round trip, so the store may hold a registration up to L older than the access
 *   that filled the cache. A registration notifies for T after the store's time, hence only for
 *   T − L after that access: the cap becomes T − L − margin (just under T/2 with Redis).
 * - coherence: while its link to the store is down it cannot hear invalidations, so the cap is 0
 *   (nothing served from cache, nothing kept) until the link is back and resynchronised.
 * When the cap shrinks the cache is flushed: entries filled under the larger cap would outlive it.
 */
export function capCacheTtl(
  core: UpcallCore,
  cache: TtlCapped,
  limits: CacheLimits | undefined = core.cacheLimits,
): Subscription {
  let current: number | undefined;
  return combineLatest([core.options$(), limits?.coherent$() ?? of(true)]).subscribe(([o, coherent]) => {
    const t = o['features.cache-invalidation-timeout'] * 1000;
    const lag = limits?.registrationLagMs(t) ?? 0;
    const cap = !o['features.cache-invalidation']
      ? undefined
      : coherent
        ? Math.max(0, t - lag - TTL_MARGIN_MS)
        : 0;
    const shrinks = cap !== undefined && (current === undefined || cap < current);
    current = cap;
    cache.setTtlCap(cap);
    if (shrinks) cache.flushAll?.();
  });
}
