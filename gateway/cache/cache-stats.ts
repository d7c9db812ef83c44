/** Hit, miss and eviction counters of a metadata cache, per kind of entry. */
export interface CacheStats {
  hits: { attrs: number; dentries: number; listings: number };
  misses: { attrs: number; dentries: number; listings: number };
  evictions: { attrs: number; dentries: number; listings: number; flushes: number };
  /** Fills skipped because an invalidation raced with the fetch. */
  racedFills: number;
  entries: { attrs: number; dirs: number; listings: number };
}

export function emptyStats(): Omit<CacheStats, 'entries'> {
  return {
    hits: { attrs: 0, dentries: 0, listings: 0 },
    misses: { attrs: 0, dentries: 0, listings: 0 },
    evictions: { attrs: 0, dentries: 0, listings: 0, flushes: 0 },
    racedFills: 0,
  };
}
