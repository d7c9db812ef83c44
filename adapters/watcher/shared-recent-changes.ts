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
  /** Notes looked at twice (a counter for tests and metrics). */
  rechecks = 0;

  constructor(
    private readonly store: NoteStore,
    private readonly windowMs = 2000,
  ) {
    this.local = new RecentChangeSet({ windowMs });
  }

  note(inode: InodeKey, attrs?: Attrs): void {
    this.local.note(inode, attrs);
    this.store.put([[`i:${inode}`, stampOf(attrs)]], this.windowMs);
  }

  noteEntry(dir: InodeKey, name: string): void {
    this.local.noteEntry(dir, name);
    this.store.put([[`e:${dir}/${name}`, ENTRY]], this.windowMs);
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
