/**
 * The lease create contexts (MS-SMB2 §2.2.13.2.8 / §2.2.13.2.10 request, §2.2.14.2.10 /
 * §2.2.14.2.11 response), both tagged "RqLs":
 *   v1 (32 bytes): LeaseKey (16), LeaseState, LeaseFlags, LeaseDuration (8);
 *   v2 (52 bytes): the same, then ParentLeaseKey (16), Epoch (2), Reserved (2).
 * v2 is read only on a 3.x connection (§3.3.5.9.11); a 2.1 client's v2-sized context is read
 * as v1 (the first 32 bytes) and answered as v1.
 */
import { NtStatus, SmbError } from '../ntstatus';
import type { LeaseHolder } from './holder';

/** §2.2.13.2.10 Flags. */
const SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET = 0x04;
/** §2.2.14.2.10 Flags: a break of this lease is under way. */
const SMB2_LEASE_FLAG_BREAK_IN_PROGRESS = 0x02;

export interface LeaseRequest {
  readonly key: Buffer;
  readonly state: number;
  readonly version: 1 | 2;
  readonly parentKey?: Buffer;
  readonly epoch: number;
}

export function parseLeaseContext(data: Buffer, v2Allowed: boolean): LeaseRequest {
  if (data.length < 32) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `${data.length}-byte RqLs`);
  const key = Buffer.from(data.subarray(0, 16));
  const state = data.readUInt32LE(16);
  if (!v2Allowed || data.length < 52) return { key, state, version: 1, epoch: 0 };
  const flags = data.readUInt32LE(20);
  return {
    key,
    state,
    version: 2,
    epoch: data.readUInt16LE(48),
    ...(flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET
      ? { parentKey: Buffer.from(data.subarray(32, 48)) }
      : {}),
  };
}

/** The RqLs response data for `lease` as it stands after this open. */
export function leaseResponseContext(lease: LeaseHolder): Buffer {
  const d = Buffer.alloc(lease.version === 2 ? 52 : 32);
  lease.key.copy(d, 0);
  d.writeUInt32LE(lease.state, 16);
  let flags = lease.breaking ? SMB2_LEASE_FLAG_BREAK_IN_PROGRESS : 0;
  if (lease.version === 2) {
    if (lease.parentKey) {
      flags |= SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
      lease.parentKey.copy(d, 32);
    }
    d.writeUInt16LE(lease.epoch & 0xffff, 48);
  }
  d.writeUInt32LE(flags, 20);
  return d;
}
