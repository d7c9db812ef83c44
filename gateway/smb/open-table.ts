/**
 * Opens (MS-SMB2 §3.3.1.10 Per Open) and the server's table of them: FileId → Open, and per
 * inode the opens that share-mode checks (MS-FSA §2.1.5.1.2) and delete-on-close need.
 *
 * FileIds: the volatile half is a server-wide counter; the persistent half repeats it (a
 * reclaimed durable open keeps both, durable/), and a request must present both. An Open belongs to one session and
 * one tree; a FileId presented on another session or tree is "closed" to it (each command's
 * section, e.g. §3.3.5.10 for CLOSE: STATUS_FILE_CLOSED).
 */
import type { Ino } from '../backend/attrs';
import type { DirCursor } from './dir-cursor';
import type { SmbSession } from './session';
import type { TreeConnect } from './tree';
import type { FileId } from './wire';

/** MS-SMB2 §2.2.13 ShareAccess. */
export const FILE_SHARE_READ = 0x1;
export const FILE_SHARE_WRITE = 0x2;
export const FILE_SHARE_DELETE = 0x4;

/** MS-SMB2 §2.2.13.1.1 File_Pipe_Printer_Access_Mask bits used here. */
export const Access = {
  FILE_READ_DATA: 0x00000001,
  FILE_WRITE_DATA: 0x00000002,
  FILE_APPEND_DATA: 0x00000004,
  FILE_READ_EA: 0x00000008,
  FILE_WRITE_EA: 0x00000010,
  FILE_EXECUTE: 0x00000020,
  FILE_DELETE_CHILD: 0x00000040,
  FILE_READ_ATTRIBUTES: 0x00000080,
  FILE_WRITE_ATTRIBUTES: 0x00000100,
  DELETE: 0x00010000,
  READ_CONTROL: 0x00020000,
  WRITE_DAC: 0x00040000,
  WRITE_OWNER: 0x00080000,
  SYNCHRONIZE: 0x00100000,
  ACCESS_SYSTEM_SECURITY: 0x01000000,
  MAXIMUM_ALLOWED: 0x02000000,
  GENERIC_ALL: 0x10000000,
  GENERIC_EXECUTE: 0x20000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
} as const;

export interface Open {
  readonly fileId: FileId;
  /** Session and tree: a durable open reclaimed on a new connection moves to the new ones. */
  session: SmbSession;
  tree: TreeConnect;
  readonly ino: Ino;
  readonly isDir: boolean;
  /** Where the object was opened: parent directory and name (undefined parent = the share root). */
  parent: Ino | undefined;
  name: string;
  /** Share-relative path with '\' separators, '' for the root (FileAllInformation's name). */
  path: string;
  /** Granted access (MS-SMB2 §3.3.1.10 Open.GrantedAccess). */
  readonly access: number;
  readonly shareAccess: number;
  /** FILE_DELETE_ON_CLOSE: closing this handle marks the file delete-pending. */
  deleteOnClose: boolean;
  /** MS-FSCC §2.4.35 CurrentByteOffset: where the last READ or WRITE ended (or SET_INFO put it). */
  position: bigint;
  /** QUERY_DIRECTORY's position (directories only). */
  cursor?: DirCursor;
}

const READ_LIKE = Access.FILE_READ_DATA | Access.FILE_EXECUTE;
const WRITE_LIKE = Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA;

/**
 * MS-FSA §2.1.5.1.2 share-access check: an open conflicts with an existing one when either
 * wants a kind of access (read, write, delete) the other does not share. Opens asking only for
 * attributes, synchronize or read-control never conflict, whatever the other shares.
 */
export function shareConflict(
  existing: Pick<Open, 'access' | 'shareAccess'>,
  access: number,
  share: number,
): boolean {
  const wants = (a: number) => ({
    r: (a & READ_LIKE) !== 0,
    w: (a & WRITE_LIKE) !== 0,
    d: (a & Access.DELETE) !== 0,
  });
  const e = wants(existing.access);
  const n = wants(access);
  // MS-FSA §2.1.5.1.2.1: an open with none of those accesses (a stat open) is not checked, new or existing.
  if ((!e.r && !e.w && !e.d) || (!n.r && !n.w && !n.d)) return false;
  return (
    (e.r && !(share & FILE_SHARE_READ)) ||
    (e.w && !(share & FILE_SHARE_WRITE)) ||
    (e.d && !(share & FILE_SHARE_DELETE)) ||
    (n.r && !(existing.shareAccess & FILE_SHARE_READ)) ||
    (n.w && !(existing.shareAccess & FILE_SHARE_WRITE)) ||
    (n.d && !(existing.shareAccess & FILE_SHARE_DELETE))
  );
}

export class OpenTable {
  private readonly byId = new Map<bigint, Open>();
  private readonly byIno = new Map<Ino, Set<Open>>();
  /** MS-FSA Stream.DeletePending, per inode: removed when its last open closes. */
  private readonly deletePending = new Set<Ino>();
  /**
   * Deletes on close under way, per inode: a CREATE that finds the object meanwhile waits for
   * the removal and looks again (a lost connection's delete-on-close handle is closed while its
   * client already reconnects: smb2.durable-open.delete_on_close1).
   */
  private readonly removals = new Map<Ino, Promise<void>>();
  private next = 1n;

  constructor(readonly maxOpens = 100_000) {}

  get size(): number {
    return this.byId.size;
  }

  /** A fresh FileId, or undefined when the table is full (STATUS_INSUFFICIENT_RESOURCES). */
  allocate(): FileId | undefined {
    if (this.byId.size >= this.maxOpens) return undefined;
    const id = this.next++;
    return { persistent: id, volatile: id };
  }

  add(open: Open): void {
    this.byId.set(open.fileId.volatile, open);
    const set = this.byIno.get(open.ino) ?? new Set<Open>();
    this.byIno.set(open.ino, set);
    set.add(open);
  }

  /** The open with both halves of `id`, visible to `tree` (its session's own tree), else undefined. */
  get(id: FileId, tree: TreeConnect): Open | undefined {
    const o = this.byId.get(id.volatile);
    if (!o || o.fileId.persistent !== id.persistent || o.tree !== tree) return undefined;
    return o;
  }

  /** Opens of an inode (share-mode checks, rename of an open file). */
  opensOf(ino: Ino): ReadonlySet<Open> {
    return this.byIno.get(ino) ?? new Set();
  }

  conflicts(ino: Ino, access: number, share: number): boolean {
    for (const o of this.opensOf(ino)) if (shareConflict(o, access, share)) return true;
    return false;
  }

  isDeletePending(ino: Ino): boolean {
    return this.deletePending.has(ino);
  }

  setDeletePending(ino: Ino, pending: boolean): void {
    if (pending) this.deletePending.add(ino);
    else this.deletePending.delete(ino);
  }

  /**
   * Removes `open`. Returns true when it was the last open of a delete-pending inode: the
   * caller then removes the object (the pending mark is cleared here).
   */
  remove(open: Open): boolean {
    if (this.byId.get(open.fileId.volatile) !== open) return false;
    this.byId.delete(open.fileId.volatile);
    if (open.deleteOnClose) this.deletePending.add(open.ino);
    const set = this.byIno.get(open.ino);
    set?.delete(open);
    if (set && set.size > 0) return false;
    this.byIno.delete(open.ino);
    return this.deletePending.delete(open.ino);
  }

  noteRemoval(ino: Ino, removal: Promise<void>): void {
    this.removals.set(ino, removal);
    const done = () => {
      if (this.removals.get(ino) === removal) this.removals.delete(ino);
    };
    removal.then(done, done);
  }

  /** The delete-on-close removal of `ino` under way, if any. */
  removalOf(ino: Ino): Promise<void> | undefined {
    return this.removals.get(ino);
  }

  /** Every open of a session, or of one tree (logoff, tree disconnect, connection loss). */
  opensWhere(pred: (o: Open) => boolean): Open[] {
    return [...this.byId.values()].filter(pred);
  }
}
