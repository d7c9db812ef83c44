/**
 * Which caching a holder must give up, and what a new open may get (MS-FSA §2.1.4.12 "Algorithm
 * to Check for an Oplock Break", §2.1.5.17 "Server Requests an Oplock"; MS-SMB2 §3.3.5.9). Pure
 * functions over caching bits; the table (caching-table.ts) applies them.
 *
 * Contended by another open (not of the same lease, not a stat open): write caching goes
 * (RWH → RH, RW → R; BATCH/EXCLUSIVE → LEVEL_II). An open that overwrites (OVERWRITE,
 * OVERWRITE_IF, SUPERSEDE) also takes read caching. An open that would fail on share modes
 * first breaks handle caching (a client with H may hold the conflicting handle only in its
 * cache, and closes it on the break), and breaks nobody without H.
 */
import { Lease, oplockOfState, stateOfOplock } from './caching-state';
import type { Holder } from './holder';

/** What a new open is about, as far as breaking goes. */
export interface OpenIntent {
  /** Only attribute/synchronize access: never breaks anything (Samba's is_oplock_stat_open). */
  readonly statOpen: boolean;
  /** OVERWRITE, OVERWRITE_IF or SUPERSEDE of an existing file: its data is about to go. */
  readonly overwrite: boolean;
  /** Share modes forbid the open as things stand. */
  readonly sharingViolation: boolean;
  /** The lease id (ClientGuid + LeaseKey) the open comes with: its own lease is never broken. */
  readonly leaseId?: string;
}

/** Access bits that leave an open a "stat open". */
const STAT_ACCESS = 0x00000080 | 0x00000100 | 0x00100000; // READ_ATTRIBUTES | WRITE_ATTRIBUTES | SYNCHRONIZE

export function isStatOpen(access: number): boolean {
  return (access & ~STAT_ACCESS) === 0;
}

function asOplock(h: Holder, state: number): number {
  return h.kind === 'oplock' ? stateOfOplock(oplockOfState(state)) : state;
}

/** The state `h` must break to before an open with `intent` proceeds (its current state: no break). */
export function breakToForOpen(h: Holder, intent: OpenIntent): number {
  if (intent.statOpen) return h.state;
  if (h.kind === 'lease' && h.id === intent.leaseId) return h.state;
  if (intent.sharingViolation && !(h.state & Lease.H)) return h.state;
  let to = h.state & ~Lease.W;
  if (intent.overwrite) to &= ~Lease.R;
  if (intent.sharingViolation) to &= ~Lease.H;
  return asOplock(h, to);
}

/**
 * A write, truncation or size change through one open: read caching of every other holder goes
 * (LEVEL_II → NONE, R → NONE; MS-FSA §2.1.5.3 / §2.1.4.12 Operation WRITE).
 */
export function breakToForWrite(h: Holder): number {
  return asOplock(h, h.state & ~(Lease.R | Lease.W));
}

/**
 * A change made elsewhere (NFS, another head, the backend watcher), told by an upcall: cached
 * data and attributes are stale (R and W go); when the name went (removed, renamed, forgotten)
 * the cached handle is stale too (H goes).
 */
export function breakToForChange(h: Holder, nameGone: boolean): number {
  const keep = nameGone ? Lease.NONE : Lease.H;
  return asOplock(h, h.state & keep);
}

/** A break that needs the client's acknowledgment: it held write or handle caching (§3.3.4.7). */
export function needsAck(h: Holder): boolean {
  return h.kind === 'lease' ? (h.state & (Lease.W | Lease.H)) !== 0 : (h.state & Lease.W) !== 0;
}

/**
 * What a new open may be granted of `requested` (caching bits): write caching only when no
 * other (non-stat) open of the file is outside the requester's lease (smb2.lease.break's table:
 * contended RWH is granted RH). For an oplock the result is read back as a level.
 */
export function grantable(requested: number, othersOpen: boolean, oplock: boolean): number {
  let s = requested;
  if (othersOpen) s &= ~Lease.W;
  if (oplock) return stateOfOplock(oplockOfState(s));
  return s & Lease.R ? s : Lease.NONE;
}
