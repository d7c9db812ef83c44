import { type Attrs, FileType } from '../../gateway/backend/attrs';
import type { InodeKey } from '../../upcall-core';

/**
 * The seam between the gateway's own changes and the export watcher: the gateway notes what it
 * changed (inode + post-op attributes, or a directory entry), the watcher asks before it turns an
 * event into an upcall. Without it every NFS/SMB write would come back from inotify as a
 * self-invalidation of the writer's own cache.
 *
 * Suppression is decided by comparison, not by a time window alone: an event is "own" only if the
 * gateway noted the object recently AND the object still looks exactly as the gateway left it
 * (ctime, mtime, size, nlink, mode, owner). A program that changed it afterwards changes ctime or
 * size, so its event is sent. When unsure, the watcher sends: an extra eviction is a cost, a
 * suppressed one a stale cache.
 *
 * One more case counts as own (covers()): a file (not a directory) the gateway changed strictly
 * AFTER the state the watcher saw (its note's ctime is later). Whatever made that state — the
 * gateway or another program — came before a change of the gateway's, whose post-op attributes
 * (read after it) include it and whose upcall told every holder; telling them again is only an
 * extra eviction. Without this a file the gateway writes without pause never matched: the
 * watcher's lstat and the newest note are never of the same write (measured, 2 heads, one
 * writer: a third of the watcher's windows re-sent the gateway's own writes). Directories keep
 * the exact match, their entries are not in their attributes — but with any of their last few
 * noted states (Note.earlier). ctime comes from the kernel's coarse clock, so two changes in one
 * tick have equal ctimes: equal is not later.
 */
/** One question of the watcher: an inode as it is now, or an entry of a directory as it is now. */
export type OwnQuery =
  | { readonly inode: InodeKey; readonly attrs: Attrs | undefined }
  | { readonly dir: InodeKey; readonly name: string; readonly dirAttrs: Attrs };

/** A query's identity: the same question about the same state gets the same key. */
export function ownQueryKey(q: OwnQuery): string {
  return 'name' in q ? `e:${q.dir}/${q.name}@${stampOf(q.dirAttrs)}` : `i:${q.inode}@${stampOf(q.attrs)}`;
}

export interface RecentChanges {
  /** The gateway changed `inode`; `attrs` its post-op attributes (undefined: it is gone). */
  note(inode: InodeKey, attrs?: Attrs): void;
  /** The gateway added, removed or renamed entry `name` of directory `dir`. */
  noteEntry(dir: InodeKey, name: string): void;
  /** Whether `inode`, now `attrs` (undefined: gone), is as the gateway's recent change left it. */
  isOwn(inode: InodeKey, attrs: Attrs | undefined): boolean | Promise<boolean>;
  /** Whether entry `name` of `dir` (now `dirAttrs`) was recently changed by the gateway, dir unchanged since. */
  isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): boolean | Promise<boolean>;
  /**
   * Many questions at once, one answer each, in order: the watcher asks for a whole window, so a
   * shared store answers in one round trip instead of one per event. Optional: without it the
   * watcher asks one by one.
   */
  isOwnAll?(queries: readonly OwnQuery[]): Promise<boolean[]>;
}

export interface RecentChangesOptions {
  /** How long a note counts, ms. Default 2000 (the watcher reports within tens of ms). */
  readonly windowMs?: number;
  /** Notes kept at most; the oldest go first. Default 4096. */
  readonly capacity?: number;
  readonly now?: () => number;
}

const GONE = 'gone';
/**
 * How long a watcher waits before it looks again at a note that did not match: the gateway's
 * write may be done in the kernel (the watcher saw it) while its note waits for the post-op fstat.
 */
export const RECHECK_MS = 30;

/** What the watcher compares: the attributes any change by anyone moves. */
export function stampOf(a: Attrs | undefined): string {
  if (a === undefined) return GONE;
  return `${a.ctime.sec}.${a.ctime.nsec}/${a.mtime.sec}.${a.mtime.nsec}/${a.size}/${a.nlink}/${a.mode}/${a.uid}/${a.gid}`;
}

/** Whether two states look alike in everything stampOf compares (both gone counts as alike). */
function sameStamp(a: Attrs | undefined, b: Attrs | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.ctime.sec === b.ctime.sec &&
    a.ctime.nsec === b.ctime.nsec &&
    a.mtime.sec === b.mtime.sec &&
    a.mtime.nsec === b.mtime.nsec &&
    a.size === b.size &&
    a.nlink === b.nlink &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid
  );
}

/** covers() for a note kept as attributes (a local note: no string built per write). */
export function coversAttrs(noted: Attrs | undefined, seen: Attrs | undefined): boolean {
  if (sameStamp(noted, seen)) return true;
  if (noted === undefined || seen === undefined || seen.type === FileType.DIR) return false;
  const n = noted.ctime;
  return n.sec > seen.ctime.sec || (n.sec === seen.ctime.sec && n.nsec > seen.ctime.nsec);
}

/**
 * Whether a note (a stampOf) says the object is as seen, or — for a non-directory — that the
 * gateway changed it after the state seen (see the note at the top).
 */
export function covers(noted: string | undefined, seen: Attrs | undefined): boolean {
  if (noted === undefined) return false;
  if (noted === stampOf(seen)) return true;
  if (seen === undefined || seen.type === FileType.DIR || noted === GONE) return false;
  const dot = noted.indexOf('.');
  const sec = Number(noted.slice(0, dot));
  const nsec = Number(noted.slice(dot + 1, noted.indexOf('/')));
  return sec > seen.ctime.sec || (sec === seen.ctime.sec && nsec > seen.ctime.nsec);
}

/**
 * A note in memory: when, and the state left (undefined: gone). Entry notes have no state.
 * Attributes, not their stampOf: a note is made per write but looked at once per watcher window,
 * so the comparison is done then (bench/note-cost.ts, per write: 202 → 70 ns in memory; on the
 * watching head of several, which built the stamp for nothing, 1,383 → 78 ns).
 */
interface Note {
  at: number;
  attrs: Attrs | undefined;
  /**
   * A directory's states noted before `attrs`, newest last (at most DIR_STATES). The watcher
   * lstat's a directory once per window while the gateway may go on changing it: the state it
   * saw can be one the gateway left and has since moved past, or one the gateway made in the
   * kernel and notes a moment later (the recheck). Any state the gateway left is as good as the
   * newest: a change by another program in between would have made a state nobody noted.
   */
  earlier?: Attrs[];
}

/** Directory states remembered per note (see Note.earlier). */
const DIR_STATES = 8;

/** A bounded, time-limited RecentChanges in memory (one per head). */
export class RecentChangeSet implements RecentChanges {
  private readonly notes = new Map<string, Note>();
  private readonly windowMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(o: RecentChangesOptions = {}) {
    this.windowMs = o.windowMs ?? 2000;
    this.capacity = o.capacity ?? 4096;
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.notes.size;
  }

  note(inode: InodeKey, attrs?: Attrs): void {
    this.put(`i:${inode}`, attrs);
  }

  noteEntry(dir: InodeKey, name: string): void {
    this.put(`e:${dir}/${name}`, undefined);
  }

  isOwn(inode: InodeKey, attrs: Attrs | undefined): boolean {
    const n = this.fresh(`i:${inode}`);
    if (n === undefined) return false;
    return coversAttrs(n.attrs, attrs) || (n.earlier?.some((e) => sameStamp(e, attrs)) ?? false);
  }

  isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): boolean {
    return this.fresh(`e:${dir}/${name}`) !== undefined && this.isOwn(dir, dirAttrs);
  }

  /** Whether the gateway changed `inode` recently, whatever it left. */
  changed(inode: InodeKey): boolean {
    return this.fresh(`i:${inode}`) !== undefined;
  }

  /** Notes looked at twice (a counter for tests and metrics). */
  rechecks = 0;

  /**
   * Each question against the notes; an inode (or an entry's directory) the gateway changed
   * recently but not (yet) to what was seen is looked at once more, all together, after
   * RECHECK_MS (see there). Without that a file written without pause came back as an outside
   * change in one window of six (1 head), and a directory the gateway fills and empties without
   * pause (smbtorture notify.mask) as a CHANGE_NOTIFY its clients never caused.
   */
  async isOwnAll(queries: readonly OwnQuery[]): Promise<boolean[]> {
    const own = (q: OwnQuery) =>
      'name' in q ? this.isOwnEntry(q.dir, q.name, q.dirAttrs) : this.isOwn(q.inode, q.attrs);
    const out = queries.map(own);
    const again = queries.flatMap((q, i) =>
      !out[i] && this.changed('inode' in q ? q.inode : q.dir) ? [i] : [],
    );
    if (again.length === 0) return out;
    this.rechecks += again.length;
    await new Promise((r) => setTimeout(r, RECHECK_MS));
    for (const i of again) out[i] = own(queries[i]);
    return out;
  }

  /**
   * A known key is updated in place: the Map keeps first-noted order, so past `capacity` the
   * note dropped is the one noted first, maybe a hot one — noted again at its next change, and
   * meanwhile its events are sent (an extra eviction, never a missed one).
   */
  private put(key: string, attrs: Attrs | undefined): void {
    const n = this.notes.get(key);
    if (n !== undefined) {
      if (n.attrs?.type === FileType.DIR) {
        n.earlier ??= [];
        if (n.earlier.push(n.attrs) > DIR_STATES) n.earlier.shift();
      }
      n.at = this.now();
      n.attrs = attrs;
      return;
    }
    this.notes.set(key, { at: this.now(), attrs });
    if (this.notes.size > this.capacity) {
      const oldest = this.notes.keys().next().value;
      if (oldest !== undefined) this.notes.delete(oldest);
    }
  }

  private fresh(key: string): Note | undefined {
    const n = this.notes.get(key);
    if (n === undefined) return undefined;
    if (this.now() - n.at > this.windowMs) {
      this.notes.delete(key);
      return undefined;
    }
    return n;
  }
}
