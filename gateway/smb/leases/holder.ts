/**
 * Who holds caching rights on a file (MS-SMB2 §3.3.1.4 Lease, §3.3.1.10 Open.OplockLevel): a
 * lease (one per ClientGuid + LeaseKey, shared by every open of that key) or one open's oplock.
 * Both carry the caching bits they hold now and, while a break waits for its acknowledgment,
 * the state it breaks to (§3.3.1.4 Lease.Breaking / BreakToLeaseState, Open.OplockState).
 */
import type { Ino } from '../../backend/attrs';
import type { Open } from '../open-table';

/** Where a break notification goes: the holder's connection (a no-op once it is gone). */
export interface BreakSink {
  send(payload: Buffer): void;
}

/** A break sent that needs an acknowledgment (or the timeout) before it takes effect. */
export interface PendingBreak {
  readonly to: number;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

interface HolderBase {
  readonly ino: Ino;
  /** Caching bits held now (Lease bits; an oplock's level read as bits). */
  state: number;
  sink: BreakSink;
  breaking?: PendingBreak;
}

export interface LeaseHolder extends HolderBase {
  readonly kind: 'lease';
  /** ClientGuid + LeaseKey in hex: the lease table's key. */
  readonly id: string;
  readonly key: Buffer;
  /** 1: SMB2_CREATE_REQUEST_LEASE (2.1); 2: SMB2_CREATE_REQUEST_LEASE_V2 (3.x), with an epoch. */
  readonly version: 1 | 2;
  /** §3.3.1.4 Lease.Epoch (v2): counts state changes, sent with each break. */
  epoch: number;
  parentKey?: Buffer;
  readonly opens: Set<Open>;
}

export interface OplockHolder extends HolderBase {
  readonly kind: 'oplock';
  readonly open: Open;
}

export type Holder = LeaseHolder | OplockHolder;
