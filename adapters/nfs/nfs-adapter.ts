import type { Subscription } from 'rxjs';
import type { ClientId, UpcallCore } from '../../upcall-core';
import type { CacheAdapter } from '../cache-adapter';
import { applyPlan, evictionPlan } from '../eviction-plan';

export interface NfsAdapterOptions {
  /** Told after each event is applied (metrics, tests). */
  onApplied?: (kind: 'inode' | 'flush-all') => void;
}

/**
 * The NFS adapter: subscribes the NFS server's cache holder to its invalidations and evicts
 * exactly what each flag requires (eviction-plan). NFSv3 has no callback channel to clients,
 * so the server's own metadata cache is all there is to keep coherent; clients revalidate with
 * GETATTR, which then sees fresh attributes.
 */
export function attachNfsAdapter(
  core: UpcallCore,
  client: ClientId,
  cache: CacheAdapter,
  opts: NfsAdapterOptions = {},
): Subscription {
  return core.events(client).subscribe((ev) => {
    applyPlan(cache, evictionPlan(ev));
    opts.onApplied?.(ev.kind);
  });
}
