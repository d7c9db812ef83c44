/**
 * The README's example of a minimal third-party adapter, run through the kit unchanged: it
 * ignores the eviction plan and simply drops everything on any event. Crude but correct — the
 * kit allows extra evictions, never missing ones.
 */
import type { CacheAdapter } from '../../adapters/cache-adapter';
import type { UpcallCore } from '../../upcall-core';
import { runAdapterContract } from './adapter.contract';

function attachDropEverything(core: UpcallCore, client: string, cache: CacheAdapter) {
  return core.events(client).subscribe((ev) => {
    if (ev.kind === 'flush-all') return cache.flushAll();
    for (const i of [ev.inode, ev.parent, ev.oldParent]) if (i !== undefined) cache.evictHandle(i);
    for (const [d, n] of [
      [ev.parent ?? ev.inode, ev.name],
      [ev.oldParent, ev.oldName],
    ] as const) {
      if (d !== undefined) {
        cache.evictDentry(d, n);
        cache.evictListing(d);
      }
    }
    cache.evictAttrs(ev.inode);
  });
}

runAdapterContract('drop-everything adapter (third-party example)', attachDropEverything);
