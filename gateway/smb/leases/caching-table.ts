/**
 * The server's caching table (MS-SMB2 §3.3.5.9 CREATE with oplocks and leases, §3.3.5.22
 * OPLOCK_BREAK acknowledgments, §3.3.4.6/§3.3.4.7 breaks): which opens and leases cache what,
 * the breaks a new open, a write or an upcall causes, and their acknowledgments. Decisions are
 * in break-decisions.ts, wire shapes in break-notify.ts and lease-context.ts.
 */
import type { Logger } from 'winston';
import type { Attrs, Ino } from '../../backend/attrs';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import {
  blocksOpen,
  breakToForChange,
  breakToForOpen,
  breakToForWrite,
  grantable,
  isStatOpen,
  needsAck,
  type OpenIntent,
} from './break-decisions';
import { leaseBreakMessage, oplockBreakMessage } from './break-notify';
import { beginBreak, endBreak } from './break-timers';
import {
  grantableLeaseState,
  Lease,
  OplockLevel,
  oplockOfState,
  stateOfOplock,
  stateText,
} from './caching-state';
import type { BreakSink, Holder, LeaseHolder, OplockHolder } from './holder';
import type { LeaseRequest } from './lease-context';
import { LeaseTable, leaseId } from './lease-table';
import { OplockTable } from './oplock-state';

/** What a CREATE asked for: an oplock level, or a lease (RequestedOplockLevel LEASE + RqLs). */
export interface CachingRequest {
  readonly oplockLevel: number;
  readonly lease?: LeaseRequest;
  readonly clientGuid: Buffer;
}

/** What the CREATE response carries: OplockLevel, and the lease for its RqLs context. */
export interface CachingGrant {
  readonly oplockLevel: number;
  readonly lease?: LeaseHolder;
}

export class CachingTable {
  readonly leases = new LeaseTable();
  readonly oplocks = new OplockTable();
  /** Lease of each open made under one. */
  private readonly leaseOf = new Map<Open, LeaseHolder>();
  /** Connection of each open under a lease: where its breaks go once the first one closed. */
  private readonly sinkOf = new Map<Open, BreakSink>();

  /**
   * Set by the server: a break due to a holder whose opens are all disconnected durable opens
   * closes them instead (MS-SMB2 §3.3.4.6/§3.3.4.7: no connection to send it on); true when it
   * did, and the break is then over at once.
   */
  breakOfDisconnected?: (h: Holder) => boolean;

  constructor(
    /** §3.3.2.1/§3.3.2.5 break acknowledgment timeout (Windows: 35 s). */
    private readonly breakTimeoutMs: number,
    private readonly log: Logger,
    /** Non-stat opens of an inode (the open table's view), for what a grant may include. */
    private readonly opensOf: (ino: Ino) => Iterable<Open>,
  ) {}

  holdersOf(ino: Ino): Holder[] {
    return [...this.leases.of(ino), ...this.oplocks.of(ino)];
  }

  /**
   * A lease key names one file (§3.3.5.9.8): a request naming another path under a key in use
   * is refused before anything is created (smb2.lease.request).
   */
  checkLeaseKey(req: CachingRequest, path: string): void {
    if (!req.lease) return;
    const l = this.leases.get(leaseId(req.clientGuid, req.lease.key));
    const held = l && [...l.opens][0]?.path;
    if (held !== undefined && held.toLowerCase() !== path.toLowerCase())
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'lease key already names another file');
  }

  intentLeaseId(req: CachingRequest): string | undefined {
    return req.lease ? leaseId(req.clientGuid, req.lease.key) : undefined;
  }

  /**
   * Breaks an open with `intent` needs before it may go on. Returns what to wait for (every
   * acknowledgment it needs, or a break already under way), or undefined when it may go on now.
   * Call again after the wait: a holder may need a further break.
   */
  breakForOpen(ino: Ino, intent: OpenIntent): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    for (const h of this.holdersOf(ino)) {
      const to = breakToForOpen(h, intent);
      if (to === h.state) continue;
      const blocks = blocksOpen(h, to, intent);
      if (h.breaking) {
        // No second break while one is unanswered; wait for it when it is one to wait for.
        if (blocks) waits.push(h.breaking.done);
        continue;
      }
      const w = this.breakHolder(h, to);
      if (w && blocks) waits.push(w);
    }
    return waits.length ? Promise.all(waits).then(() => undefined) : undefined;
  }

  /** A WRITE or size change through `open`: every other holder of the file loses read caching. */
  breakForWrite(open: Open): void {
    const own = this.leaseOf.get(open);
    for (const h of this.holdersOf(open.ino)) {
      // The writer's own lease stays; its own LEVEL_II oplock breaks too (smb2.oplock.batch1's
      // "self break to none"), its EXCLUSIVE or BATCH one does not.
      if (h === own || (h.kind === 'oplock' && h.open === open && h.state & Lease.W)) continue;
      const to = breakToForWrite(h);
      if (to !== h.state && !h.breaking) this.breakHolder(h, to);
    }
  }

  /**
   * An upcall: the file changed elsewhere; `nameGone` when it was removed, renamed or
   * forgotten; `now` the file as it is (undefined: gone or unknown). Holders that already saw
   * this state of the file are left alone.
   */
  breakForChange(ino: Ino, nameGone: boolean, now?: Attrs): void {
    const stamp = now ? ctimeNs(now) : undefined;
    for (const h of this.holdersOf(ino)) {
      if (stamp !== undefined && h.seen !== undefined && stamp <= h.seen) continue;
      const to = breakToForChange(h, nameGone);
      if (to !== h.state && !h.breaking) this.breakHolder(h, to);
    }
  }

  /**
   * `open` renamed its file: the others' cached handles name the old path, so handle caching
   * goes (smb2.lease.v2_rename: RH → R); the renamer's own lease stays. Told, not waited for.
   */
  breakForRename(open: Open, after: Attrs | undefined): void {
    const own = this.leaseOf.get(open);
    // Oplocks are not broken by a rename (smb2.oplock.batch19/exclusive6: "should not trigger a break").
    for (const l of [...this.leases.of(open.ino)]) {
      if (l === own || l.breaking || !(l.state & Lease.H)) continue;
      this.breakHolder(l, l.state & ~Lease.H);
    }
    // Every holder has been told what this rename means for it: its echo is no news.
    if (after) for (const h of this.holdersOf(open.ino)) h.seen = ctimeNs(after);
  }

  /** `open`'s client changed the file itself (its own write): what it made is not news to it. */
  noteOwnChange(open: Open, after: Attrs | undefined): void {
    if (!after) return;
    const h = this.leaseOf.get(open) ?? this.oplocks.get(open);
    if (h) h.seen = ctimeNs(after);
  }

  /** Changes may have been lost (flush-all): every holder gives up read and write caching. */
  breakAll(): void {
    for (const ino of new Set([...this.leases.inos(), ...this.oplocks.inos()]))
      this.breakForChange(ino, false);
  }

  caches(ino: Ino): boolean {
    return this.holdersOf(ino).length > 0;
  }

  /** Inodes someone caches: the lease feed keeps the holder registered with the core for them. */
  cachedInos(): Ino[] {
    return [...new Set([...this.leases.inos(), ...this.oplocks.inos()])];
  }

  /**
   * Grants `open` (already in the open table) what it may have of `req` (§3.3.5.9: oplock
   * levels; §3.3.5.9.8/§3.3.5.9.11: leases, v1/v2, upgrades under the same key).
   */
  grant(open: Open, sink: BreakSink, req: CachingRequest, attrs?: Attrs, overwrite = false): CachingGrant {
    const g = this.grantOnly(open, sink, req, overwrite);
    const h = g.lease ?? this.oplocks.get(open);
    if (h && attrs) h.seen = ctimeNs(attrs);
    return g;
  }

  private grantOnly(open: Open, sink: BreakSink, req: CachingRequest, overwrite: boolean): CachingGrant {
    if (open.isDir) return { oplockLevel: OplockLevel.NONE }; // no directory leases
    const id = req.lease ? leaseId(req.clientGuid, req.lease.key) : undefined;
    // Others: non-stat opens outside the requester's lease, and any other lease or oplock (a
    // stat open's lease counts: smb2.lease.statopen).
    const mine = (o: Open) => o === open || (id !== undefined && this.leaseOf.get(o)?.id === id);
    const othersOpen =
      [...this.opensOf(open.ino)].some((o) => !mine(o) && !isStatOpen(o.access, req.lease !== undefined)) ||
      this.holdersOf(open.ino).some(
        (h) => (h.kind === 'lease' ? h.id !== id : h.open !== open) && h.state !== 0,
      );
    const holders = this.holdersOf(open.ino);
    if (req.lease && id) {
      // Handle caching is not shared with oplocks (smb2.lease.oplock: beside LEVEL_II, RH → R).
      const oplockBeside = holders.some((h) => h.kind === 'oplock' && h.open !== open);
      const mask = oplockBeside ? ~Lease.H : ~0;
      return {
        oplockLevel: OplockLevel.LEASE,
        lease: this.grantLease(open, sink, req.lease, id, othersOpen, mask),
      };
    }
    // No oplock at all beside a lease that caches handles (smb2.lease.oplock), nor for a stat
    // open beside others (smb2.oplock.exclusive4, batch8; alone it may: batch9; one that
    // overwrites is no stat open: exclusive5) — a lease it may have (smb2.lease.statopen).
    if (isStatOpen(open.access) && !overwrite && (othersOpen || holders.length > 0))
      return { oplockLevel: OplockLevel.NONE };
    if (holders.some((h) => h.kind === 'lease' && h.state & Lease.H))
      return { oplockLevel: OplockLevel.NONE };
    const level = oplockOfState(
      grantable(stateOfOplock(req.oplockLevel), othersOpen || this.othersBreaking(open.ino), true),
    );
    if (level !== OplockLevel.NONE)
      this.oplocks.add({ kind: 'oplock', ino: open.ino, state: stateOfOplock(level), sink, open });
    return { oplockLevel: level };
  }

  private othersBreaking(ino: Ino): boolean {
    return this.holdersOf(ino).some((h) => h.breaking !== undefined);
  }

  private grantLease(
    open: Open,
    sink: BreakSink,
    req: LeaseRequest,
    id: string,
    othersOpen: boolean,
    mask: number,
  ): LeaseHolder {
    const requested = grantableLeaseState(req.state);
    const wanted = grantable(requested & mask, othersOpen, false);
    let l = this.leases.get(id);
    if (!l) {
      l = {
        kind: 'lease',
        id,
        ino: open.ino,
        key: req.key,
        version: req.version,
        epoch: req.version === 2 ? req.epoch + 1 : 0,
        state: wanted,
        sink,
        opens: new Set(),
        ...(req.parentKey ? { parentKey: req.parentKey } : {}),
      };
      this.leases.add(l);
    } else if (!l.breaking && requested === wanted && (wanted & l.state) === l.state && wanted !== l.state) {
      // An upgrade: only to a strict superset of what is held (smb2.lease.upgrade2), and only
      // when all of it can be held beside the others (upgrade3: R + RHW beside R stays R).
      l.state = wanted;
      if (l.version === 2) l.epoch++;
    }
    // Breaks go to the connection of the lease's first open while it lasts (smb2.lease.v2_complex1).
    this.sinkOf.set(open, sink);
    l.opens.add(open);
    this.leaseOf.set(open, l);
    return l;
  }

  /** OPLOCK_BREAK acknowledgment of an oplock (§3.3.5.22.1): the level now held. */
  ackOplock(open: Open, level: number): number {
    const h = this.oplocks.get(open);
    if (!h?.breaking)
      throw new SmbError(NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL, 'no oplock break in progress on this open');
    const to = oplockOfState(h.breaking.to);
    if (level !== OplockLevel.NONE && level !== OplockLevel.LEVEL_II) {
      this.dropOplock(h);
      throw new SmbError(
        NtStatus.STATUS_INVALID_PARAMETER,
        `oplock acknowledged at level 0x${level.toString(16)}`,
      );
    }
    if (level === OplockLevel.LEVEL_II && to === OplockLevel.NONE) {
      this.dropOplock(h);
      throw new SmbError(NtStatus.STATUS_INVALID_OPLOCK_PROTOCOL, 'acknowledged LEVEL_II to a break to NONE');
    }
    endBreak(h, stateOfOplock(level));
    if (level === OplockLevel.NONE) this.oplocks.remove(h);
    return level;
  }

  /** Lease Break Acknowledgment (§3.3.5.22.2): the lease now holds `state`. */
  ackLease(clientGuid: Buffer, key: Buffer, state: number): LeaseHolder {
    const l = this.leases.get(leaseId(clientGuid, key));
    if (!l) throw new SmbError(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, 'no such lease');
    if (!l.breaking) throw new SmbError(NtStatus.STATUS_UNSUCCESSFUL, 'no lease break in progress');
    if ((state & l.breaking.to) !== state)
      throw new SmbError(
        NtStatus.STATUS_REQUEST_NOT_ACCEPTED,
        `lease acknowledged ${stateText(state)}, broken to ${stateText(l.breaking.to)}`,
      );
    endBreak(l, state);
    return l;
  }

  /** `open` is closing: its oplock goes, and its lease when it was the lease's last open. */
  release(open: Open): void {
    const h = this.oplocks.get(open);
    if (h) this.dropOplock(h);
    const l = this.leaseOf.get(open);
    if (!l) return;
    this.leaseOf.delete(open);
    const gone = this.sinkOf.get(open);
    this.sinkOf.delete(open);
    l.opens.delete(open);
    if (l.opens.size > 0) {
      const next = [...l.opens].map((o) => this.sinkOf.get(o)).find((s) => s !== undefined);
      if (l.sink === gone && next) l.sink = next;
      return;
    }
    this.leases.remove(l);
    endBreak(l, Lease.NONE);
  }

  /**
   * Whether `open` may outlive its connection (MS-SMB2 §3.3.7.1): it holds a BATCH oplock or a
   * lease with handle caching, and no break of it is under way.
   */
  keepsHandle(open: Open): boolean {
    const l = this.leaseOf.get(open);
    if (l) return (l.state & Lease.H) !== 0 && !l.breaking;
    const h = this.oplocks.get(open);
    return h !== undefined && oplockOfState(h.state) === OplockLevel.BATCH && !h.breaking;
  }

  /** The lease `open` was made under, if any. */
  leaseOfOpen(open: Open): LeaseHolder | undefined {
    return this.leaseOf.get(open);
  }

  /** The oplock level `open` holds (NONE without one). */
  oplockLevelOf(open: Open): number {
    const h = this.oplocks.get(open);
    return h ? oplockOfState(h.state) : OplockLevel.NONE;
  }

  /**
   * `open` is kept after its connection went (a durable open): its lease's breaks go to the
   * connection of another open of the lease while one is connected.
   */
  detachSink(open: Open): void {
    const l = this.leaseOf.get(open);
    const gone = this.sinkOf.get(open);
    if (!l || l.sink !== gone) return;
    const next = [...l.opens].map((o) => this.sinkOf.get(o)).find((x) => x !== undefined && x !== gone);
    if (next) l.sink = next;
  }

  /** A reclaimed durable open: its breaks go to its new connection. */
  reattach(open: Open, sink: BreakSink): void {
    const h = this.oplocks.get(open);
    if (h) h.sink = sink;
    const l = this.leaseOf.get(open);
    if (!l) return;
    this.sinkOf.set(open, sink);
    l.sink = sink;
  }

  private dropOplock(h: OplockHolder): void {
    this.oplocks.remove(h);
    endBreak(h, Lease.NONE);
  }

  /** Sends the break of `h` to `to`; returns what to wait for when it needs an acknowledgment. */
  private breakHolder(h: Holder, to: number): Promise<void> | undefined {
    if (this.breakOfDisconnected?.(h)) return undefined;
    const ack = needsAck(h);
    if (this.log.isDebugEnabled())
      this.log.debug('caching break', { kind: h.kind, from: stateText(h.state), to: stateText(to), ack });
    if (h.kind === 'lease') {
      if (h.version === 2) h.epoch++;
      h.sink.send(leaseBreakMessage(h, to, ack));
    } else h.sink.send(oplockBreakMessage(h, oplockOfState(to)));
    if (!ack) {
      endBreak(h, to);
      if (h.kind === 'oplock' && to === Lease.NONE) this.oplocks.remove(h);
      return undefined;
    }
    return beginBreak(h, to, this.breakTimeoutMs, (x) => {
      this.log.info('caching break not acknowledged in time', { kind: x.kind, to: stateText(to) });
      if (x.kind === 'oplock') this.oplocks.remove(x);
    });
  }
}

function ctimeNs(a: Attrs): bigint {
  return BigInt(a.ctime.sec) * 1_000_000_000n + BigInt(a.ctime.nsec);
}
