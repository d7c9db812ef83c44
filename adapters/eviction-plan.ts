import { ATTR_FLAGS, UpcallFlags as F, type InodeKey, type Invalidation } from '../upcall-core';
import type { CacheAdapter } from './cache-adapter';

/** One eviction, as data, so NFS and SMB adapters share ONE table and tests can read plans. */
export type EvictionStep =
  | { readonly op: 'attrs'; readonly inode: InodeKey }
  | { readonly op: 'listing'; readonly dir: InodeKey }
  | { readonly op: 'dentry'; readonly dir: InodeKey; readonly name?: string }
  | { readonly op: 'handle'; readonly inode: InodeKey }
  | { readonly op: 'xattrs'; readonly inode: InodeKey; readonly names?: readonly string[] }
  | { readonly op: 'flush' };

/**
 * DESIGN.md's "What an adapter does with an event", as one function from an invalidation to the
 * evictions it requires. Where the flags leave doubt, it evicts: a directory whose attributes
 * changed also loses its listing; an entry change also drops the parents' attributes.
 */
export function evictionPlan(ev: Invalidation): EvictionStep[] {
  if (ev.kind === 'flush-all') return [{ op: 'flush' }];
  const steps: EvictionStep[] = [];
  const { inode, flags } = ev;
  if (flags & F.FORGET)
    return [
      { op: 'handle', inode },
      ...entrySteps(ev.parent, ev.name),
      ...entrySteps(ev.oldParent, ev.oldName),
    ];
  if (flags & (ATTR_FLAGS | F.EXPLICIT_LOOKUP)) {
    steps.push({ op: 'attrs', inode }, { op: 'listing', dir: inode });
  }
  // An event on a directory that names an entry (create in it): that entry and the listing.
  if (ev.name !== undefined && ev.parent === undefined)
    steps.push({ op: 'dentry', dir: inode, name: ev.name });
  if (flags & (F.PARENT_TIMES | F.RENAME | F.NLINK | F.EXPLICIT_LOOKUP)) {
    steps.push(...entrySteps(ev.parent, ev.name), ...entrySteps(ev.oldParent, ev.oldName));
  }
  if (flags & F.RENAME) steps.push({ op: 'attrs', inode });
  if (flags & (F.XATTR | F.XATTR_RM)) steps.push({ op: 'xattrs', inode, names: ev.xattrs });
  return steps;
}

function entrySteps(dir: InodeKey | undefined, name: string | undefined): EvictionStep[] {
  if (dir === undefined) return [];
  return [
    { op: 'dentry', dir, name },
    { op: 'listing', dir },
    { op: 'attrs', inode: dir },
  ];
}

/** Carries a plan out on a cache. */
export function applyPlan(cache: CacheAdapter, steps: readonly EvictionStep[]): void {
  for (const s of steps) {
    switch (s.op) {
      case 'attrs':
        cache.evictAttrs(s.inode);
        break;
      case 'listing':
        cache.evictListing(s.dir);
        break;
      case 'dentry':
        cache.evictDentry(s.dir, s.name);
        break;
      case 'handle':
        cache.evictHandle(s.inode);
        break;
      case 'xattrs':
        cache.evictXattrs?.(s.inode, s.names);
        break;
      case 'flush':
        cache.flushAll();
        break;
    }
  }
}
