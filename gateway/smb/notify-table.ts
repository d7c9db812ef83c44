/**
 * Directory watches for CHANGE_NOTIFY (MS-SMB2 §3.3.5.19, §3.3.4.4 async responses).
 *
 * A watch belongs to one directory Open and starts with its first CHANGE_NOTIFY; from then on
 * changes are collected for it between requests (as Samba does), so a client re-issuing the
 * request at once loses nothing. A request finds records waiting → answered at once; otherwise
 * it is parked under a fresh AsyncId (the command sends the interim STATUS_PENDING) and the
 * next matching change completes it with an async response. More than `maxQueued` records, or
 * records that do not fit the request's OutputBufferLength → STATUS_NOTIFY_ENUM_DIR: the client
 * re-reads the directory. CANCEL → STATUS_CANCELLED; the Open closing (CLOSE, tree disconnect,
 * logoff, connection loss all go through closeOpen) → STATUS_NOTIFY_CLEANUP.
 *
 * Changes come in as `report(dir, records)`: `dir` is the directory the names changed in. A
 * watch on `dir` hears them; a WATCH_TREE watch on an ancestor hears them too, names prefixed
 * with the path below the watched directory — known from an SMB Open of `dir` or, for a
 * subdirectory nobody has open, found on the backend (notify-paths.ts; delivered a moment later).
 */
import type { Ino } from '../backend/attrs';
import { type AsyncRequest, type AsyncSink, sendAsyncResponse } from './async-response';
import { DirPaths, pathBelow, subdirectories, TREE_WATCH_DIRS } from './notify-paths';
import {
  encodeNotifyRecords,
  NotifyAction,
  NotifyFilter,
  type NotifyRecord,
  notifyResponseBody,
} from './notify-records';
import { NtStatus } from './ntstatus';
import type { Open, OpenTable } from './open-table';

/** MS-SMB2 §2.2.35 Flags. */
export const SMB2_WATCH_TREE = 0x0001;

export interface PendingNotify extends AsyncRequest {
  readonly outputLength: number;
  /**
   * Whether the interim STATUS_PENDING response is out. Frames are dispatched concurrently, so
   * a CANCEL or a change in the next frame can complete a request before its own interim left;
   * the final response then waits for it (a client takes a final before the interim as a
   * protocol error).
   */
  readonly interim?: InterimGate;
}

/** Set by the CHANGE_NOTIFY command once its interim response is encoded. */
export class InterimGate {
  private sent = false;
  private waiting?: () => void;

  /** The interim response was encoded; it is written right after this tick's dispatch. */
  encoded(): void {
    this.sent = true;
    const w = this.waiting;
    this.waiting = undefined;
    if (w) setImmediate(w);
  }

  /** Runs `send` now if the interim is out, else right after it. */
  after(send: () => void): void {
    if (this.sent) send();
    else this.waiting = send;
  }
}

interface Watch {
  readonly open: Open;
  /** Name → whether it was last reported present (ADDED/RENAMED_NEW) or gone, and when. */
  seen: Map<string, { present: boolean; at: number }>;
  /**
   * CompletionFilter and WATCH_TREE are the first request's: later requests on the same Open
   * cannot change them (as Samba and Windows; smbtorture notify.rec, notify.mask-change).
   */
  readonly filter: number;
  readonly tree: boolean;
  /**
   * The first request's OutputBufferLength: no later answer may be larger (as Samba and
   * Windows do; smb2.notify.valid-req "if the first notify returns NOTIFY_ENUM_DIR, all do").
   */
  readonly maxOutput: number;
  queue: NotifyRecord[];
  overflow: boolean;
  pending: PendingNotify[];
  /** Directories below a WATCH_TREE watch, found when it started (see walkTree). */
  subtree: Ino[];
}

export class NotifyTable {
  private readonly watches = new Map<Open, Watch>();
  private nextAsyncId = 1n;
  private readonly dirPaths = new DirPaths();
  /** Told the directories below a new tree watch (the notify feed registers interest in them). */
  interest?: (dirs: Ino[]) => void;
  /** The last report still being delivered (a path lookup in flight), if any. */
  private tail?: Promise<void>;

  constructor(
    private readonly opens: OpenTable,
    readonly maxQueued = 256,
  ) {}

  get size(): number {
    return this.watches.size;
  }

  newAsyncId(): bigint {
    return this.nextAsyncId++;
  }

  /**
   * One CHANGE_NOTIFY on `open`: the records to answer with now (undefined: park `pending`,
   * already registered), or 'enum-dir' for an overflow.
   */
  request(
    open: Open,
    filter: number,
    flags: number,
    outputLength: number,
    pending: () => PendingNotify,
  ): Buffer | 'enum-dir' | undefined {
    let w = this.watches.get(open);
    if (!w) {
      w = {
        open,
        seen: new Map(),
        filter,
        tree: (flags & SMB2_WATCH_TREE) !== 0,
        maxOutput: outputLength,
        queue: [],
        overflow: false,
        pending: [],
        subtree: [],
      };
      this.watches.set(open, w);
      if (w.tree) void this.walkTree(w).catch(() => undefined);
    }
    if (w.pending.length === 0 && (w.overflow || w.queue.length > 0)) return this.drain(w, outputLength);
    w.pending.push(pending());
    return undefined;
  }

  /**
   * Names changed in directory `dir`. Reports are delivered in order: while a path is being
   * looked up on the backend, later reports wait behind it.
   */
  report(dir: Ino, records: readonly NotifyRecord[]): void {
    if (records.some(movesDir)) this.dirPaths.forget();
    if (this.watches.size === 0 || records.length === 0) return;
    if (this.tail) this.track(this.tail.then(() => this.reportNow(dir, records)));
    else {
      const later = this.reportNow(dir, records);
      if (later) this.track(later);
    }
  }

  private track(p: Promise<void>): void {
    const t: Promise<void> = p
      .catch(() => undefined)
      .then(() => {
        if (this.tail === t) this.tail = undefined;
      });
    this.tail = t;
  }

  private reportNow(dir: Ino, records: readonly NotifyRecord[]): Promise<void> | undefined {
    let dirPath: string | undefined | null = null;
    const unresolved: Watch[] = [];
    for (const w of this.watches.values()) {
      let prefix = '';
      if (w.open.ino !== dir) {
        if (!w.tree) continue;
        if (dirPath === null) dirPath = this.pathOf(dir, w.open);
        if (dirPath === undefined) {
          unresolved.push(w);
          continue;
        }
        const root = w.open.path;
        if (!(root === '' || dirPath.startsWith(`${root}\\`))) continue;
        prefix = `${root === '' ? dirPath : dirPath.slice(root.length + 1)}\\`;
      }
      this.deliver(w, records, prefix);
    }
    return unresolved.length > 0 ? this.reportBelow(dir, records, unresolved) : undefined;
  }

  /** Tree watches that may lie above `dir`, a directory no SMB open names: ask the backend. */
  private async reportBelow(dir: Ino, records: readonly NotifyRecord[], watches: Watch[]): Promise<void> {
    for (const w of watches) {
      const disk = w.open.tree.disk;
      if (!disk) continue;
      const a = await this.dirPaths.ancestry(dir, disk.backend, w.open.session.cred).catch(() => undefined);
      const below = a && pathBelow(a, w.open.ino);
      if (below && this.watches.get(w.open) === w) this.deliver(w, records, `${below}\\`);
    }
  }

  private deliver(w: Watch, records: readonly NotifyRecord[], prefix: string): void {
    const mine = records
      .filter((r) => (r.filter & w.filter) !== 0)
      .map((r) => (prefix ? { ...r, name: prefix + r.name } : r))
      .filter((r) => fresh(w, r));
    if (mine.length === 0) return;
    w.queue.push(...mine);
    if (w.queue.length > this.maxQueued) {
      w.queue = [];
      w.overflow = true;
    }
    if (w.pending.length > 0) setImmediate(() => this.flush(w));
  }

  /** Where `ino` is open through SMB (parent directory and name): MODIFIED records name it so. */
  namesOf(ino: Ino): { parent: Ino; name: string }[] {
    const out = new Map<string, { parent: Ino; name: string }>();
    for (const o of this.opens.opensOf(ino))
      if (o.parent !== undefined) out.set(`${o.parent}/${o.name}`, { parent: o.parent, name: o.name });
    return [...out.values()];
  }

  /** Changes were lost (the core flushed): every watch answers STATUS_NOTIFY_ENUM_DIR next. */
  overflowAll(): void {
    for (const w of this.watches.values()) {
      w.queue = [];
      w.overflow = true;
      if (w.pending.length > 0) setImmediate(() => this.flush(w));
    }
  }

  /** The directories watched, so the holder can keep its interest in them alive with the core. */
  watchedDirs(): Ino[] {
    const dirs = new Set<Ino>();
    for (const w of this.watches.values()) {
      dirs.add(w.open.ino);
      for (const d of w.subtree) dirs.add(d);
    }
    return [...dirs];
  }

  /**
   * A new WATCH_TREE watch: the directories below it (up to TREE_WATCH_DIRS) are listed once
   * and handed to `interest`, so the holder registers with the core for them too — a change
   * through NFS in a subdirectory SMB never looked at then reaches this head as an upcall.
   */
  private async walkTree(w: Watch): Promise<void> {
    const disk = w.open.tree.disk;
    if (!disk) return;
    const found = await subdirectories(disk.backend, w.open.ino, w.open.session.cred, TREE_WATCH_DIRS);
    if (this.watches.get(w.open) !== w) return;
    w.subtree = found;
    this.interest?.(found);
  }

  /** CANCEL by AsyncId or (not yet answered) MessageId, on the connection that sent it. */
  cancel(sink: AsyncSink, id: { asyncId?: bigint; messageId?: bigint }): boolean {
    const hit = this.findPending(
      (p) =>
        p.sink === sink &&
        (id.asyncId !== undefined ? p.asyncId === id.asyncId : p.messageId === id.messageId),
    );
    // Samba 4.17's client (smbtorture notify.tcon/dir: notify_send then smb2_cancel at once)
    // sends a synchronous CANCEL with MessageId 0 — an id no request can hold after NEGOTIATE —
    // before it has seen the interim response; Samba still cancels the notify. Read it as "the
    // request I just sent": the newest CHANGE_NOTIFY parked on this connection.
    const fallback =
      hit ?? (id.asyncId === undefined && id.messageId === 0n ? this.newestPending(sink) : undefined);
    if (!fallback) return false;
    const [w, p] = fallback;
    w.pending.splice(w.pending.indexOf(p), 1);
    complete(p, NtStatus.STATUS_CANCELLED);
    return true;
  }

  private findPending(pred: (p: PendingNotify) => boolean): [Watch, PendingNotify] | undefined {
    for (const w of this.watches.values()) {
      const p = w.pending.find(pred);
      if (p) return [w, p];
    }
    return undefined;
  }

  private newestPending(sink: AsyncSink): [Watch, PendingNotify] | undefined {
    let best: [Watch, PendingNotify] | undefined;
    for (const w of this.watches.values())
      for (const p of w.pending) if (p.sink === sink && (!best || p.asyncId > best[1].asyncId)) best = [w, p];
    return best;
  }

  /**
   * Directory `ino` became delete-pending while still open: its watches' pending requests end
   * with STATUS_DELETE_PENDING (as Samba and Windows answer; smbtorture notify.rmdir1-4).
   */
  deletePending(ino: Ino): void {
    for (const w of this.watches.values())
      if (w.open.ino === ino)
        for (const p of w.pending.splice(0)) complete(p, NtStatus.STATUS_DELETE_PENDING);
  }

  /** The Open is closing: its pending requests end with STATUS_NOTIFY_CLEANUP, the watch goes. */
  release(open: Open): void {
    const w = this.watches.get(open);
    if (!w) return;
    this.watches.delete(open);
    for (const p of w.pending.splice(0)) complete(p, NtStatus.STATUS_NOTIFY_CLEANUP);
  }

  private flush(w: Watch): void {
    if (this.watches.get(w.open) !== w) return;
    while (w.pending.length > 0 && (w.overflow || w.queue.length > 0)) {
      const p = w.pending.shift()!;
      const r = this.drain(w, p.outputLength);
      if (r === 'enum-dir') complete(p, NtStatus.STATUS_NOTIFY_ENUM_DIR);
      else complete(p, NtStatus.STATUS_SUCCESS, r);
    }
  }

  private drain(w: Watch, outputLength: number): Buffer | 'enum-dir' {
    const queue = w.queue;
    const overflow = w.overflow;
    w.queue = [];
    w.overflow = false;
    if (overflow) return 'enum-dir';
    return encodeNotifyRecords(queue, Math.min(outputLength, w.maxOutput)) ?? 'enum-dir';
  }

  /** The share-relative path of directory `dir` as some Open of it on `like`'s share knows it. */
  private pathOf(dir: Ino, like: Open): string | undefined {
    for (const o of this.opens.opensOf(dir)) if (o.tree.disk === like.tree.disk && o.isDir) return o.path;
    return undefined;
  }
}

/** How long a name's last add/remove is remembered to drop an echo of it. */
const ECHO_WINDOW_MS = 5000;

/**
 * Drops an echo: the same change can reach us twice — from the SMB side or NFS, and again from
 * the backend watcher seeing it on disk — but a name cannot be added twice without a removal
 * in between (nor removed twice), so an ADDED of a name last reported present, or a REMOVED of
 * one last reported gone, within a few seconds, is the same change again.
 */
function fresh(w: Watch, r: NotifyRecord): boolean {
  const now = Date.now();
  if (w.seen.size > 1024) for (const [k, v] of w.seen) if (now - v.at > ECHO_WINDOW_MS) w.seen.delete(k);
  const present =
    r.action === NotifyAction.ADDED || r.action === NotifyAction.RENAMED_NEW_NAME
      ? true
      : r.action === NotifyAction.REMOVED || r.action === NotifyAction.RENAMED_OLD_NAME
        ? false
        : undefined;
  if (present === undefined) return true;
  const last = w.seen.get(r.name);
  w.seen.set(r.name, { present, at: now });
  const plain = r.action === NotifyAction.ADDED || r.action === NotifyAction.REMOVED;
  return !(plain && last && last.present === present && now - last.at <= ECHO_WINDOW_MS);
}

/** Sends the final async response (§3.3.4.4). */
function complete(p: PendingNotify, status: number, data?: Buffer): void {
  const send = (): void => sendAsyncResponse(p, status, notifyResponseBody(data));
  if (p.interim) p.interim.after(send);
  else send();
}

/** A record that can move or remove a directory (and so stale a cached path). */
function movesDir(r: NotifyRecord): boolean {
  return (
    (r.filter & NotifyFilter.DIR_NAME) !== 0 &&
    (r.action === NotifyAction.REMOVED || r.action === NotifyAction.RENAMED_OLD_NAME)
  );
}
