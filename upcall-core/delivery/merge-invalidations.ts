import type { InodeInvalidation } from '../types';

/** An invalidation still waiting to be delivered, which coalescing may update in place. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Two invalidations of one inode may become one (flags OR-ed, newest stat kept) only when they
 * describe the same directory entries: merging a rename A→B with B→C would lose which dentries
 * to drop, so such pairs stay separate.
 */
export function canMerge(a: InodeInvalidation, b: InodeInvalidation): boolean {
  return (
    a.inode === b.inode &&
    a.target === b.target &&
    a.parent === b.parent &&
    a.name === b.name &&
    a.oldParent === b.oldParent &&
    a.oldName === b.oldName
  );
}

/** Folds `b` (the newer) into `a`. */
export function mergeInto<S>(a: Mutable<InodeInvalidation<S>>, b: InodeInvalidation<S>): void {
  a.flags |= b.flags;
  if (b.stat !== undefined) a.stat = b.stat;
  if (b.parentStat !== undefined) a.parentStat = b.parentStat;
  if (b.oldParentStat !== undefined) a.oldParentStat = b.oldParentStat;
  if (b.xattrs !== undefined) a.xattrs = a.xattrs ? [...new Set([...a.xattrs, ...b.xattrs])] : b.xattrs;
  a.origin = b.origin;
  a.at = b.at;
}
