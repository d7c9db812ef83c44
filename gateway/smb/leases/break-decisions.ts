/**
 * Which caching a holder must give up, and what a new open may get (MS-FSA §2.1.4.12 "Algorithm
 * to Check for an Oplock Break", §2.1.5.17 "Server Requests an Oplock"; MS-SMB2 §3.3.5.9). Pure
 * functions over caching bits; the table (caching-table.ts) applies them.
 *
 * Contended by another open (not of the same lease, not a stat open): write caching goes
 * (RWH → RH, RW → R; BATCH/EXCLUSIVE → LEVEL_II). An open that overwrites (OVERWRITE,
 * OVERWRITE_IF, SUPERSEDE) takes all caching. An open that would fail on share modes first
 * breaks handle caching (a client with H may hold the conflicting handle only in its cache,
 * and closes it on the break), and breaks nobody without H. The open waits only for breaks
 * that take write caching, or handle caching it conflicts with (`blocksOpen`): a lease broken
 * from RH or R is told, not waited for (smb2.lease.breaking4/5).
 */
import { Lease, oplockOfState, stateOfOplock } from './caching-state';
import type { Holder } from './holder';

/** What a new open is about, as far as breaking goes. */
export interface OpenIntent {
  /** Only attribute/synchronize access: never breaks anything (Samba's is_oplock_stat_open). */
  readonly statOpen: boolean;
  /** The same, READ_CONTROL included: breaks no lease. */
  readonly leaseStatOpen?: boolean;
  /** OVERWRITE, OVERWRITE_IF or SUPERSEDE of an existing file: its data is about to go. */
  readonly overwrite: boolean;
  /** Share modes forbid the open as things stand. */
  readonly sharingViolation: boolean;
  /** The lease id (ClientGuid + LeaseKey) the open comes with: its own lease is never broken. */
  readonly leaseId?: string;
}

/** Access bits that leave an open a "stat open". */
// READ_ATTRIBUTES | WRITE_ATTRIBUTES | SYNCHRONIZE
const STAT_ACCESS = 0x00000080 | 0x00000100 | 0x00100000;

/** READ_CONTROL: a stat open as far as leases go (smb2.lease.statopen4), not for oplocks (oplock.batch12). */
const READ_CONTROL = 0x00020000;

export function isStatOpen(access: number, forLeases = false): boolean {
  return (access & ~(forLeases ? STAT_ACCESS | READ_CONTROL : STAT_ACCESS)) === 0;
}

function asOplock(h: Holder, state: number): number {
  return h.kind === 'oplock' ? stateOfOplock(oplockOfState(state)) : state;
}

/** The state `h` must break to before an open with `intent` proceeds (its current state: no break). */
export function breakToForOpen(h: Holder, intent: OpenIntent): number {
  if (intent.statOpen || (h.kind === 'lease' && intent.leaseStatOpen)) return h.state;
  if (h.kind === 'lease' && h.id === intent.leaseId) return h.state;
  if (intent.sharingViolation && !(h.state & Lease.H)) return h.state;
  // An overwrite takes everything (smb2.lease.breaking2/4/5: RWH, RH and R all break to none).
  if (intent.overwrite) return Lease.NONE;
  // A sharing violation takes only a lease's handle caching (smb2.lease.break_twice: RWH → RW);
  // a BATCH oplock goes to LEVEL_II (smb2.oplock.batch1).
  if (intent.sharingViolation && h.kind === 'lease') return h.state & ~Lease.H;
  let to = h.state & ~Lease.W;
  if (intent.sharingViolation) to &= ~Lease.H;
  return asOplock(h, to);
}

/** Whether an open must wait for `h`'s break from its current state to `to`. */
export function blocksOpen(h: Holder, to: number, intent: OpenIntent): boolean {
  const lost = h.state & ~to;
  return (lost & Lease.W) !== 0 || (intent.sharingViolation && (lost & Lease.H) !== 0);
}

/**
 * A write, truncation, size change or byte-range lock through one open: every other holder
 * loses all its caching (LEVEL_II → NONE; a lease → NONE, acknowledged when it held H:
 * smb2.lease.complex1, lease.lock1; MS-FSA §2.1.4.12 Operation WRITE).
 */
export function breakToForWrite(_h: Holder): number {
  return Lease.NONE;
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
