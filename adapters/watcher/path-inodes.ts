import type { InodeKey } from '../../upcall-core';

export interface KnownPath {
  readonly inode: InodeKey;
  readonly dir: boolean;
}

/**
 * Path → inode, as the watcher last saw it. A deletion cannot be lstat'ed any more: this map is
 * how the watcher still knows which inode to FORGET. Bounded (oldest first out); a path it lost
 * only costs precision — the parent's listing and the named entry are invalidated anyway.
 */
export class PathInodes {
  private readonly map = new Map<string, KnownPath>();

  constructor(private readonly capacity = 65_536) {}

  get size(): number {
    return this.map.size;
  }

  get(path: string): KnownPath | undefined {
    return this.map.get(path);
  }

  set(path: string, known: KnownPath): void {
    this.map.delete(path);
    this.map.set(path, known);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  /** Drops `path` and, for a directory, everything known below it. */
  delete(path: string): void {
    const known = this.map.get(path);
    this.map.delete(path);
    if (!known?.dir) return;
    const prefix = `${path}/`;
    for (const p of this.map.keys()) if (p.startsWith(prefix)) this.map.delete(p);
  }

  /** Every known path, oldest first. */
  entries(): IterableIterator<[string, KnownPath]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
  }
}
