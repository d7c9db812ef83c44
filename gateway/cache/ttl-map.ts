/**
 * A Map whose entries expire, bounded in size (the oldest insertions go first). Expired entries
 * are dropped when met; the bound keeps memory flat even when nothing is ever read again.
 */
export class TtlMap<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The live value, or undefined when absent or expired (`has` tells those apart from a stored undefined). */
  get(key: K, now: number): { value: V } | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: K, value: V, expires: number): void {
    this.map.delete(key); // re-inserting moves it to the young end
    this.map.set(key, { value, expires });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}
