import type { Attrs } from '../../gateway/backend/attrs';
import type { InodeKey } from '../../upcall-core';
import { RecentChangeSet, type RecentChanges, stampOf } from './recent-changes';

/**
 * Where heads share their notes (RedisTransport implements it): short-lived key → value pairs.
 * `put` may batch and is fire-and-forget (a lost note only costs one extra invalidation);
 * `get` answers null for a key nobody noted or that expired.
 */
export interface NoteStore {
  put(notes: readonly (readonly [string, string])[], ttlMs: number): void;
  get(keys: readonly string[]): Promise<(string | null)[]>;
}

const ENTRY = '1';
/** How long a watcher waits before it looks again at a note that did not match (see isOwn). */
const RECHECK_MS = 30;
/** Keys remembered as sent (see put): a bound, the oldest first out. */
const SENT_CAPACITY = 4096;

/**
 * RecentChanges shared by every head on a store: each head notes its own changes locally and in
 * the store, and its watcher asks the local notes first, then the store's. Without sharing, two
 * heads over one export on one machine each saw the other's writes as changes made outside the
 * gateway: one extra invalidation per write, to every head. The store's note is the newest any
 * head made, so when two heads write one file in turn, the watcher compares with the last state
 * either left, not only with its own.
 *
 * The comparison stays what RecentChangeSet does (the object must look exactly as noted), so a
 * note from another head can only suppress an event for a state a gateway head produced.
 */
export class SharedRecentChanges implements RecentChanges {
  private readonly local: RecentChangeSet;
  /** What this head last put per key, and when: a put that would change nothing is skipped. */
  private readonly sent = new Map<string, { value: string; at: number }>();
  /** Notes looked at twice (a counter for tests and metrics). */
  rechecks = 0;
  /** Notes not put again (same value, put recently). */
  skippedPuts = 0;

  constructor(
    private readonly store: NoteStore,
    private readonly windowMs = 2000,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new RecentChangeSet({ windowMs, now });
  }

  note(inode: InodeKey, attrs?: Attrs): void {
    this.local.note(inode, attrs);
    this.put(`i:${inode}`, stampOf(attrs));
  }

  noteEntry(dir: InodeKey, name: string): void {
    this.local.noteEntry(dir, name);
    this.put(`e:${dir}/${name}`, ENTRY);
  }

  /**
   * Puts a note unless this head put the same value under the same key less than half a window
   * ago: the store still holds it for at least another half window (a directory's entries noted
   * again and again, a parent whose times did not move). Skipping can only leave the store with
   * an older note or none, never one no head made, so at worst the watcher sends an extra
   * eviction; it never suppresses more. A hot file's stamp changes with every write, so its
   * notes all go — one per turn at most (SharedNotes keeps the last of a turn).
   */
  private put(key: string, value: string): void {
    const now = this.now();
    const last = this.sent.get(key);
    if (last !== undefined && last.value === value && now - last.at < this.windowMs / 2) {
      this.skippedPuts++;
      return;
    }
    // set() on a known key keeps its place: eviction is by first put, which is bound enough.
    this.sent.set(key, { value, at: now });
    if (this.sent.size > SENT_CAPACITY) this.sent.delete(this.sent.keys().next().value as string);
    this.store.put([[key, value]], this.windowMs);
  }

  async isOwn(inode: InodeKey, attrs: Attrs | undefined): Promise<boolean> {
    if (this.local.isOwn(inode, attrs)) return true;
    const want = stampOf(attrs);
    const [stamp] = await this.store.get([`i:${inode}`]);
    if (stamp === want || stamp === null) return stamp === want;
    // A head changed it recently, to another state: its newest note may still be on its way
    // (noted just after the backend write, sent on the next turn). Look once more.
    const [again] = await this.recheck([`i:${inode}`]);
    return again === want;
  }

  async isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): Promise<boolean> {
    if (this.local.isOwnEntry(dir, name, dirAttrs)) return true;
    const keys = [`e:${dir}/${name}`, `i:${dir}`];
    const want = stampOf(dirAttrs);
    let [entry, dirStamp] = await this.store.get(keys);
    if (entry === ENTRY && dirStamp !== null && dirStamp !== want)
      [entry, dirStamp] = await this.recheck(keys);
    return entry === ENTRY && (dirStamp === want || this.local.isOwn(dir, dirAttrs));
  }

  private async recheck(keys: string[]): Promise<(string | null)[]> {
    this.rechecks++;
    await new Promise((r) => setTimeout(r, RECHECK_MS));
    return this.store.get(keys);
  }
}
