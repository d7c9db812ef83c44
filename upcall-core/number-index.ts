/**
 * A hash index from non-negative integer keys (inode numbers) to slot numbers, in typed arrays:
 * open addressing, linear probing, tombstones on delete.
 *
 * Written by hand because this is the core's hottest structure and V8's Map is the wrong shape
 * for it at a million entries: each Map.delete costs ~0.4 µs and shrinking reallocates the
 * table, and the GC must walk every entry on each major collection (20+ ms pauses at 1M). Here
 * the data lives off the JS heap, a delete only writes a tombstone, and key and slot sit side by
 * side, so a lookup is one or two cache misses.
 */
const EMPTY = -1;
const DELETED = -2;
const MAX_LOAD = 0.7;

export class NumberIndex {
  private keys: Float64Array;
  private slots: Int32Array;
  private mask: number;
  private live = 0;
  private used = 0; // live + tombstones

  constructor(capacity = 1024) {
    const cap = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Float64Array(cap);
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.live;
  }

  /** Keys this index takes: integers from 0 to 2^53. */
  static accepts(key: number): boolean {
    return key >>> 0 === key || (Number.isSafeInteger(key) && key >= 0);
  }

  get(key: number): number | undefined {
    const { keys, slots, mask } = this;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === EMPTY) return undefined;
      if (s !== DELETED && keys[i] === key) return s;
    }
  }

  /** Adds `key` (which must not be present). */
  add(key: number, slot: number): void {
    if ((this.used + 1) / this.slots.length > MAX_LOAD) this.rehash();
    const { keys, slots, mask } = this;
    let i = hash(key) & mask;
    while (slots[i] >= 0) i = (i + 1) & mask;
    if (slots[i] === EMPTY) this.used++;
    keys[i] = key;
    slots[i] = slot;
    this.live++;
  }

  delete(key: number): boolean {
    const { keys, slots, mask } = this;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === EMPTY) return false;
      if (s !== DELETED && keys[i] === key) {
        slots[i] = DELETED;
        this.live--;
        return true;
      }
    }
  }

  clear(): void {
    this.slots.fill(EMPTY);
    this.live = 0;
    this.used = 0;
  }

  /** Grows when live entries fill it, else just sweeps the tombstones out. */
  private rehash(): void {
    const oldKeys = this.keys;
    const oldSlots = this.slots;
    const cap = this.live + 1 > (oldSlots.length * MAX_LOAD) / 2 ? oldSlots.length * 2 : oldSlots.length;
    this.keys = new Float64Array(cap);
    this.slots = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.live = 0;
    this.used = 0;
    for (let i = 0; i < oldSlots.length; i++) if (oldSlots[i] >= 0) this.add(oldKeys[i], oldSlots[i]);
  }
}

/** Mixes both 32-bit halves of the key (murmur3's finalizer constants). */
function hash(key: number): number {
  let h = (key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}
