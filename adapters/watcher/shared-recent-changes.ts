import type { Attrs } from '../../gateway/backend/attrs';
import type { InodeKey } from '../../upcall-core';
import {
  covers,
  type OwnQuery,
  RECHECK_MS,
  RecentChangeSet,
  type RecentChanges,
  stampOf,
} from './recent-changes';

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
/** Keys per MGET at most: a window of thousands of events does not become one huge command. */
const MGET_KEYS = 512;
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
  /** Reads from the store (MGETs). */
  storeGets = 0;
  /** Notes kept local only (this head is the machine's watcher). */
  localOnly = 0;
  /** Changes this head noted (how busy it is: the watcher election hands the lease to the busiest). */
  noted = 0;

  /**
   * `shared`: whether notes must reach the store now — not while this head is the elected
   * watcher of its machine (WatcherElection): the only watcher that sees this head's writes is
   * its own, which asks the local notes first. A note left local when the watcher moves on only
   * costs the new watcher an extra eviction (and a takeover flushes every head anyway).
   */
  constructor(
    private readonly store: NoteStore,
    private readonly windowMs = 2000,
    private readonly now: () => number = Date.now,
    private readonly shared: () => boolean = () => true,
  ) {
    this.local = new RecentChangeSet({ windowMs, now });
  }

  note(inode: InodeKey, attrs?: Attrs): void {
    this.noted++;
    this.local.note(inode, attrs);
    if (this.sharing()) this.put(`i:${inode}`, stampOf(attrs));
  }

  noteEntry(dir: InodeKey, name: string): void {
    this.local.noteEntry(dir, name);
    if (this.sharing()) this.put(`e:${dir}/${name}`, ENTRY);
  }

  /** Whether notes go to the store now (else they stay local: counted, and no stamp is built). */
  private sharing(): boolean {
    if (this.shared()) return true;
    this.localOnly++;
    return false;
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
    return (await this.isOwnAll([{ inode, attrs }]))[0];
  }

  async isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): Promise<boolean> {
    return (await this.isOwnAll([{ dir, name, dirAttrs }]))[0];
  }

  /**
   * The local notes first, then one MGET for every question left. A note of another state means
   * a head changed the object recently: its newest note may still be on its way (noted just after
   * the backend write, sent on the next turn; or, on this head, not noted yet: the write is done,
   * its post-op fstat not), so those questions are asked once more, together, after RECHECK_MS —
   * the local notes first again.
   */
  async isOwnAll(queries: readonly OwnQuery[]): Promise<boolean[]> {
    const out = queries.map((q) => this.ownLocally(q));
    const open = queries.flatMap((_, i) => (out[i] ? [] : [i]));
    if (open.length === 0) return out;
    const found = await this.fetch(open.map((i) => queries[i]));
    const again: number[] = [];
    for (const i of open) {
      const v = this.verdict(queries[i], found);
      if (v === undefined) again.push(i);
      else out[i] = v;
    }
    if (again.length === 0) return out;
    this.rechecks += again.length;
    await new Promise((r) => setTimeout(r, RECHECK_MS));
    for (const i of again) out[i] = this.ownLocally(queries[i]);
    const still = again.filter((i) => !out[i]);
    if (still.length === 0) return out;
    const fresh = await this.fetch(still.map((i) => queries[i]));
    for (const i of still) out[i] = this.verdict(queries[i], fresh, true) === true;
    return out;
  }

  private ownLocally(q: OwnQuery): boolean {
    return 'name' in q
      ? this.local.isOwnEntry(q.dir, q.name, q.dirAttrs)
      : this.local.isOwn(q.inode, q.attrs);
  }

  /** The store's notes for `queries`, one MGET per MGET_KEYS keys, each key asked once. */
  private async fetch(queries: readonly OwnQuery[]): Promise<Map<string, string | null>> {
    const keys = new Set<string>();
    for (const q of queries) {
      if ('name' in q) keys.add(`e:${q.dir}/${q.name}`).add(`i:${q.dir}`);
      else {
        keys.add(`i:${q.inode}`);
        if (q.in !== undefined) keys.add(`i:${q.in}`);
      }
    }
    const all = [...keys];
    const chunks: string[][] = [];
    for (let i = 0; i < all.length; i += MGET_KEYS) chunks.push(all.slice(i, i + MGET_KEYS));
    this.storeGets += chunks.length;
    const values = (await Promise.all(chunks.map((c) => this.store.get(c)))).flat();
    return new Map(all.map((k, i) => [k, values[i] ?? null]));
  }

  /**
   * Whether the store's notes say "own"; undefined: another state was noted, look again (unless
   * `final`, then the answer is what the notes say now).
   */
  private verdict(q: OwnQuery, found: Map<string, string | null>, final = false): boolean | undefined {
    if ('name' in q) {
      const entry = found.get(`e:${q.dir}/${q.name}`);
      const dirStamp = found.get(`i:${q.dir}`) ?? null;
      const want = stampOf(q.dirAttrs);
      if (!final && entry === ENTRY && dirStamp !== null && dirStamp !== want) return undefined;
      return entry === ENTRY && (dirStamp === want || this.local.isOwn(q.dir, q.dirAttrs));
    }
    const stamp = found.get(`i:${q.inode}`) ?? null;
    if (stamp !== null && covers(stamp, q.attrs)) return true;
    // Noted by nobody: another program's change, unless a head changed it (or the directory
    // it is new in) just now.
    const dirNoted = q.in !== undefined && (found.get(`i:${q.in}`) ?? null) !== null;
    if (stamp === null && !dirNoted && !this.local.touched(q)) return false;
    return final ? false : undefined;
  }
}
