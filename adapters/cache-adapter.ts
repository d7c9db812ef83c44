import type { InodeKey } from '../upcall-core';

/**
 * What a protocol server exposes so an adapter can evict from its metadata cache. Keys are the
 * core's inode keys. A stale entry is a correctness bug, an extra eviction only a cost: every
 * method must be safe to call for things the cache does not hold.
 */
export interface CacheAdapter {
  /** Attributes (stat) of the inode, and any directory listing of it that embeds attributes. */
  evictAttrs(inode: InodeKey): void;
  /** The name `name` in directory `dir` (positive or negative entry); every name when absent. */
  evictDentry(dir: InodeKey, name?: string): void;
  /** Cached readdir listings of directory `dir`. */
  evictListing(dir: InodeKey): void;
  /** Everything about the inode: attributes, listings, dentries under it, its handle entry. */
  evictHandle(inode: InodeKey): void;
  /** Cached xattrs of the inode, only the names given (all when absent). */
  evictXattrs?(inode: InodeKey, names?: readonly string[]): void;
  /** Drop everything (overflow, lost transport, re-enabled invalidation). */
  flushAll(): void;
}
