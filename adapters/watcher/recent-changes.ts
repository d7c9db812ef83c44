import { type Attrs, FileType, type Time } from '../../gateway/backend/attrs';
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
 *
 * A directory has one case of its own (bornAs()): seen with no entry changed since it was made
 * (its mtime still its birth time), with the birth time of a state the gateway noted later. What
 * a directory's attributes say, a later note covers as a file's; its entries are the same as at
 * its birth, empty. The gateway's mkdir makes the directory 0700 and root's, then gives it its
 * owner and mode (create-ops.ts); a watcher that lstat's it in between saw a state nobody notes.
 * Measured: 3 of 15 mkdirs of a made-and-removed directory came back so.
 */
/** One question of the watcher: an inode as it is now, or an entry of a directory as it is now. */
export type OwnQuery =
  | {
      readonly inode: InodeKey;
      readonly attrs: Attrs | undefined;
      /**
       * The directory it was found in, when the question is about a new entry's inode: the
       * gateway may have made the entry (the watcher saw it) and not noted it yet, so when the
       * gateway changed that directory recently the question is asked again (isOwnAll).
       */
      readonly in?: InodeKey;
    }
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

/**
 * What the watcher compares: the attributes any change by anyone moves. A directory's also holds
 * its birth time (bornAs).
 */
export function stampOf(a: Attrs | undefined): string {
  if (a === undefined) return GONE;
  const s = `${a.ctime.sec}.${a.ctime.nsec}/${a.mtime.sec}.${a.mtime.nsec}/${a.size}/${a.nlink}/${a.mode}/${a.uid}/${a.gid}`;
  return a.type === FileType.DIR ? `${s}/${a.birthtime.sec}.${a.birthtime.nsec}` : s;
}

const sameTime = (a: Time, b: Time) => a.sec === b.sec && a.nsec === b.nsec;
const later = (a: Time, b: Time) => a.sec > b.sec || (a.sec === b.sec && a.nsec > b.nsec);

/** A stamp's times: ctime, and a directory's birth time (see stampOf). */
function stampTimes(stamp: string): { ctime: Time; birthtime?: Time } {
  const parts = stamp.split('/');
  const time = (t: string): Time => {
    const dot = t.indexOf('.');
    return { sec: Number(t.slice(0, dot)), nsec: Number(t.slice(dot + 1)) };
  };
  return { ctime: time(parts[0]), birthtime: parts.length > 7 ? time(parts[7]) : undefined };
}

/**
 * Whether directory state `seen` has no entry changed since it was made, and the gateway noted a
 * later state of the same directory (`noted`: its ctime and birth time) — see the note at the
 * top. Where the backend knows no birth time it is the ctime: never later than itself.
 */
function bornAs(noted: { ctime: Time; birthtime?: Time }, seen: Attrs): boolean {
  const b = seen.birthtime;
  return (
    noted.birthtime !== undefined &&
    sameTime(noted.birthtime, b) &&
    sameTime(seen.mtime, b) &&
    later(noted.ctime, seen.ctime)
  );
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
  if (noted === undefined || seen === undefined) return false;
  if (seen.type === FileType.DIR) return noted.type === FileType.DIR && bornAs(noted, seen);
  return later(noted.ctime, seen.ctime);
}

/**
 * Whether a note (a stampOf) says the object is as seen, or that the gateway changed it after
 * the state seen: any later change for a non-directory, bornAs for a directory (see the top).
 */
export function covers(noted: string | undefined, seen: Attrs | undefined): boolean {
  if (noted === undefined) return false;
  if (noted === stampOf(seen)) return true;
  if (seen === undefined || noted === GONE) return false;
  const times = stampTimes(noted);
  return seen.type === FileType.DIR ? bornAs(times, seen) : later(times.ctime, seen.ctime);
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
   * A directory's states noted before `attrs`, newest last (at most EARLIER_STATES). The watcher
   * lstat's a directory once per window while the gateway may go on changing it: the state it
   * saw can be one the gateway left and has since moved past, or one the gateway made in the
   * kernel and notes a moment later (the recheck). Any state the gateway left is as good as the
   * newest: a change by another program in between would have made a state nobody noted.
   * A file's last state is kept when it goes: the newest note covers every earlier state of a
   * file (covers()) until the file is gone, and a file the gateway makes and removes without
   * pause was otherwise seen half made (mode 0600, create-ops.ts) and sent.
   */
  earlier?: Attrs[];
}

/** Earlier states remembered per note (see Note.earlier). */
const EARLIER_STATES = 8;

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
    return coversAttrs(n.attrs, attrs) || (n.earlier?.some((e) => coversAttrs(e, attrs)) ?? false);
  }

  isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): boolean {
    return this.fresh(`e:${dir}/${name}`) !== undefined && this.isOwn(dir, dirAttrs);
  }

  /** Whether the gateway changed `inode` recently, whatever it left. */
  changed(inode: InodeKey): boolean {
    return this.fresh(`i:${inode}`) !== undefined;
  }

  /**
   * Whether the gateway changed what a question is about recently, whatever it left: the inode,
   * the directory a new inode was found in, or an entry's directory.
   */
  touched(q: OwnQuery): boolean {
    if ('name' in q) return this.changed(q.dir);
    return this.changed(q.inode) || (q.in !== undefined && this.changed(q.in));
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
    const again = queries.flatMap((q, i) => (!out[i] && this.touched(q) ? [i] : []));
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
      if (n.attrs !== undefined && (n.attrs.type === FileType.DIR || attrs === undefined)) {
        n.earlier ??= [];
        if (n.earlier.push(n.attrs) > EARLIER_STATES) n.earlier.shift();
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
