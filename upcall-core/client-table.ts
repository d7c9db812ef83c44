import { NumberIndex } from './number-index';
import type { InodeKey } from './types';

/**
 * The per-inode client table: for each inode, which clients touched it and when.
 *
 * Laid out as one typed array of [lastAccess, client] pairs indexed by a slot per inode, because
 * this is the hot path (every fop) and the big one (a million inodes): a Map of objects of Maps
 * costs several hundred bytes per inode and chases pointers; here an inode with one client
 * costs a Map entry, a key reference and 16 bytes in one cache line, reached by one `get`.
 * Inodes with more than one client keep the extra clients in a small side list.
 *
 * Numeric keys (inode numbers) are indexed by NumberIndex, off the JS heap: V8 Maps of a million
 * entries make every major GC and every shrink a pause of tens of ms. Other keys use a Map.
 *
 * Clients are small integers handed out by ClientRegistry. Times are ms from the core's clock.
 */

interface Extra {
  clients: number[];
  times: number[];
}

const INITIAL_CAPACITY = 1024;
const EMPTY = -1;
/** A client entry was created (`+1`) or deleted (`-1`); the registry keeps reference counts. */
export type EntryListener = (client: number, delta: 1 | -1) => void;

export class ClientTable {
  private readonly numbers = new NumberIndex();
  private readonly others = new Map<InodeKey, number>();
  private keys: (InodeKey | undefined)[] = [];
  /** Per slot: [2s] = last access of the first client, [2s+1] = that client (EMPTY if none). */
  private pairs = new Float64Array(2 * INITIAL_CAPACITY).fill(EMPTY);
  private inodeCount = 0;
  private readonly extra = new Map<number, Extra>();
  private readonly freeSlots: number[] = [];
  private highWater = 0;
  private entryCount = 0;

  constructor(private readonly onEntry: EntryListener) {}

  get inodes(): number {
    return this.inodeCount;
  }

  private slotOf(key: InodeKey): number | undefined {
    return typeof key === 'number' && NumberIndex.accepts(key) ? this.numbers.get(key) : this.others.get(key);
  }

  get entries(): number {
    return this.entryCount;
  }

  /** Slots in use or once used: the reaper's range. */
  get slotRange(): number {
    return this.highWater;
  }

  /** Registers or refreshes `client` on `key` at `now`. */
  touch(client: number, key: InodeKey, now: number): void {
    const slot = this.slotOf(key);
    if (slot === undefined) {
      const s = this.allocate(key);
      this.pairs[2 * s + 1] = client;
      this.pairs[2 * s] = now;
      this.added(client);
      return;
    }
    if (this.pairs[2 * slot + 1] === client) {
      this.pairs[2 * slot] = now;
      return;
    }
    this.touchSlow(slot, client, now);
  }

  private touchSlow(slot: number, client: number, now: number): void {
    if (this.pairs[2 * slot + 1] === EMPTY) {
      this.pairs[2 * slot + 1] = client;
      this.pairs[2 * slot] = now;
      this.added(client);
      return;
    }
    let more = this.extra.get(slot);
    if (more === undefined) {
      more = { clients: [], times: [] };
      this.extra.set(slot, more);
    }
    const i = more.clients.indexOf(client);
    if (i >= 0) {
      more.times[i] = now;
      return;
    }
    more.clients.push(client);
    more.times.push(now);
    this.added(client);
  }

  /**
   * Rule 2 for one inode: calls `notify` for every client other than `origin` whose last access
   * is strictly less than `timeoutMs` ago, deletes entries older than `2 * timeoutMs`, and keeps
   * the ones in between silently. Returns false when the inode is not in the table.
   */
  collect(
    key: InodeKey,
    origin: number,
    now: number,
    timeoutMs: number,
    notify: (client: number) => void,
  ): boolean {
    const slot = this.slotOf(key);
    if (slot === undefined) return false;
    const expired = 2 * timeoutMs;
    const more = this.extra.get(slot);
    if (more !== undefined) {
      const { clients, times } = more;
      for (let i = clients.length - 1; i >= 0; i--) {
        const c = clients[i];
        if (c === origin) continue;
        const age = now - times[i];
        if (age > expired) this.removeExtraAt(slot, more, i);
        else if (age < timeoutMs) notify(c);
      }
    }
    const c0 = this.pairs[2 * slot + 1];
    if (c0 !== EMPTY && c0 !== origin) {
      const age = now - this.pairs[2 * slot];
      if (age > expired) this.removeFirst(slot);
      else if (age < timeoutMs) notify(c0);
    }
    return true;
  }

  /** Rule 4: drops the inode and calls `each` for every listed client, expired or not. */
  drop(key: InodeKey, each: (client: number) => void): boolean {
    const slot = this.slotOf(key);
    if (slot === undefined) return false;
    const more = this.extra.get(slot);
    if (more !== undefined) {
      for (const c of more.clients) {
        each(c);
        this.deleted(c);
      }
      this.extra.delete(slot);
    }
    const c0 = this.pairs[2 * slot + 1];
    if (c0 !== EMPTY) {
      each(c0);
      this.deleted(c0);
    }
    this.release(slot, key);
    return true;
  }

  /**
   * Rule 5, one step of it: looks at `count` slots from `from`, deletes entries idle for more than
   * `maxIdleMs`, frees inodes left empty. Returns how many entries and inodes it removed.
   */
  reap(from: number, count: number, now: number, maxIdleMs: number): { entries: number; inodes: number } {
    let entries = 0;
    let inodes = 0;
    const end = Math.min(from + count, this.highWater);
    for (let slot = from; slot < end; slot++) {
      const key = this.keys[slot];
      if (key === undefined) continue;
      const more = this.extra.get(slot);
      if (more !== undefined) {
        for (let i = more.clients.length - 1; i >= 0; i--) {
          if (now - more.times[i] > maxIdleMs) {
            this.removeExtraAt(slot, more, i);
            entries++;
          }
        }
      }
      if (this.pairs[2 * slot + 1] !== EMPTY && now - this.pairs[2 * slot] > maxIdleMs) {
        this.removeFirst(slot);
        entries++;
      }
      if (this.pairs[2 * slot + 1] === EMPTY) {
        this.release(slot, key);
        inodes++;
      }
    }
    return { entries, inodes };
  }

  clear(): void {
    for (let slot = 0; slot < this.highWater; slot++) {
      const key = this.keys[slot];
      if (key !== undefined) this.drop(key, () => {});
    }
  }

  /** Last access of `client` on `key`, or undefined (tests and diagnostics). */
  lastAccess(client: number, key: InodeKey): number | undefined {
    const slot = this.slotOf(key);
    if (slot === undefined) return undefined;
    if (this.pairs[2 * slot + 1] === client) return this.pairs[2 * slot];
    const more = this.extra.get(slot);
    const i = more ? more.clients.indexOf(client) : -1;
    return i >= 0 ? more!.times[i] : undefined;
  }

  private removeFirst(slot: number): void {
    this.deleted(this.pairs[2 * slot + 1]);
    const more = this.extra.get(slot);
    if (more === undefined || more.clients.length === 0) {
      this.pairs[2 * slot + 1] = EMPTY;
      return;
    }
    // Promote the last extra client so slot 0 is empty only when the inode has no clients.
    this.pairs[2 * slot + 1] = more.clients.pop()!;
    this.pairs[2 * slot] = more.times.pop()!;
    if (more.clients.length === 0) this.extra.delete(slot);
  }

  private removeExtraAt(slot: number, more: Extra, i: number): void {
    this.deleted(more.clients[i]);
    const last = more.clients.length - 1;
    more.clients[i] = more.clients[last];
    more.times[i] = more.times[last];
    more.clients.pop();
    more.times.pop();
    if (more.clients.length === 0) this.extra.delete(slot);
  }

  private allocate(key: InodeKey): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.highWater++;
      if (2 * slot >= this.pairs.length) this.grow();
    }
    if (typeof key === 'number' && NumberIndex.accepts(key)) this.numbers.add(key, slot);
    else this.others.set(key, slot);
    this.inodeCount++;
    this.keys[slot] = key;
    return slot;
  }

  private release(slot: number, key: InodeKey): void {
    if (typeof key === 'number' && NumberIndex.accepts(key)) this.numbers.delete(key);
    else this.others.delete(key);
    this.inodeCount--;
    this.keys[slot] = undefined;
    this.pairs[2 * slot + 1] = EMPTY;
    this.freeSlots.push(slot);
  }

  private grow(): void {
    const pairs = new Float64Array(this.pairs.length * 2).fill(EMPTY);
    pairs.set(this.pairs);
    this.pairs = pairs;
  }

  private added(client: number): void {
    this.entryCount++;
    this.onEntry(client, 1);
  }

  private deleted(client: number): void {
    this.entryCount--;
    this.onEntry(client, -1);
  }
}
