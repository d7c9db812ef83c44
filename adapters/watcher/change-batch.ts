/** What happened to one path within a batch window, as the watcher library reports it. */
export type PathChange = 'create' | 'update' | 'delete';

/**
 * What one path came to within a window: a PathChange, or 'create-update' — a new entry that was
 * also modified afterwards in the same window. That one must stay apart from a plain create: a
 * holder may have looked the new entry up between the two (so it holds its attributes), and the
 * create alone only invalidates the parent. @parcel/watcher's 50 ms trailing batch happened to
 * put such an update in a later window; fs.watch (dir-watch-source.ts) reports it within a few
 * ms, in the same window.
 */
export type WindowChange = PathChange | 'create-update';

export interface ChangeBatchStats {
  /** Paths waiting now. */
  readonly pending: number;
  /** The most paths ever waiting at once (never above the bound). */
  readonly maxPending: number;
  /** Raw events taken in. */
  readonly events: number;
  /** Events merged into a path already waiting. */
  readonly deduped: number;
  /** Times the bound was hit (each turns into one flush-all). */
  readonly overflows: number;
}

/**
 * The pending set of one batch window: one entry per path (later kinds merge into it), bounded.
 * Past the bound it stops remembering paths and only remembers "overflowed" — the consumer then
 * flushes its holders instead of invalidating path by path, so an untar of 10,000 files costs a
 * fixed amount of memory.
 */
export class ChangeBatch {
  private pending = new Map<string, WindowChange>();
  private overflowed = false;
  private maxSeen = 0;
  private events = 0;
  private deduped = 0;
  private overflows = 0;

  constructor(readonly bound: number) {}

  add(path: string, kind: PathChange): void {
    this.events++;
    if (this.overflowed) return;
    const before = this.pending.get(path);
    if (before !== undefined) {
      this.deduped++;
      this.pending.set(path, merge(before, kind));
      return;
    }
    if (this.pending.size >= this.bound) {
      this.overflowed = true;
      this.overflows++;
      this.pending.clear();
      return;
    }
    this.pending.set(path, kind);
    if (this.pending.size > this.maxSeen) this.maxSeen = this.pending.size;
  }

  get empty(): boolean {
    return this.pending.size === 0 && !this.overflowed;
  }

  /** Hands out what waited and starts a new window. */
  take(): { overflowed: boolean; changes: Map<string, WindowChange> } {
    const out = { overflowed: this.overflowed, changes: this.pending };
    this.pending = new Map();
    this.overflowed = false;
    return out;
  }

  stats(): ChangeBatchStats {
    return {
      pending: this.pending.size,
      maxPending: this.maxSeen,
      events: this.events,
      deduped: this.deduped,
      overflows: this.overflows,
    };
  }
}

/**
 * Later news about a path wins, except that create-then-update is a 'create-update' (the entry is
 * new, and its object changed since: see WindowChange) — and so is update-then-create, since a
 * source that lstat's before it reports a create (dir-watch-source.ts) can pass on the new
 * object's update first; if the update was the old object's, the consumer's inode comparison
 * removes that one anyway. A create-update stays one until a delete,
 * and delete-then-create is a create that may have replaced an object (the consumer lstat's and
 * compares inodes anyway).
 */
function merge(before: WindowChange, next: PathChange): WindowChange {
  if ((before === 'create' || before === 'create-update') && next === 'update') return 'create-update';
  if ((before === 'create-update' || before === 'update') && next === 'create') return 'create-update';
  if (before === 'delete' && next !== 'delete') return 'create';
  return next;
}
