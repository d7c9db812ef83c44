/**
 * Break notifications, sent unsolicited (MS-SMB2 §3.3.4.6, §3.3.4.7): an SMB2 OPLOCK_BREAK
 * response nobody asked for — MessageId 0xFFFFFFFFFFFFFFFF, TreeId 0, no credits, not signed
 * (§3.3.4.1.1: notifications with that MessageId are not signed).
 * - Oplock Break Notification (§2.2.23.1): StructureSize 24, OplockLevel, Reserved, Reserved2,
 *   FileId; SessionId of the open's session (what Samba sends).
 * - Lease Break Notification (§2.2.23.2): StructureSize 44, NewEpoch, Flags (ACK_REQUIRED),
 *   LeaseKey, CurrentLeaseState, NewLeaseState, BreakReason, AccessMaskHint, ShareMaskHint (0);
 *   SessionId 0.
 */
import { ALL_ONES_64, Smb2Command } from '../header';
import { NtStatus } from '../ntstatus';
import { encodeResponses } from '../response-frame';
import { writeFileId } from '../wire';
import type { LeaseHolder, OplockHolder } from './holder';

/** §2.2.23.2 Flags. */
export const SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED = 0x01;

function unsolicited(body: Buffer, sessionId: bigint): Buffer {
  return encodeResponses([
    {
      header: {
        creditCharge: 0,
        status: NtStatus.STATUS_SUCCESS,
        command: Smb2Command.OPLOCK_BREAK,
        credits: 0,
        flags: 0,
        nextCommand: 0,
        messageId: ALL_ONES_64,
        processId: 0,
        treeId: 0,
        sessionId,
      },
      body,
    },
  ]);
}

export function oplockBreakMessage(h: OplockHolder, level: number): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16LE(24, 0);
  b[2] = level;
  writeFileId(b, 8, h.open.fileId);
  return unsolicited(b, h.open.session.id);
}

export function leaseBreakMessage(h: LeaseHolder, to: number, ackRequired: boolean): Buffer {
  const b = Buffer.alloc(44);
  b.writeUInt16LE(44, 0);
  b.writeUInt16LE(h.version === 2 ? h.epoch & 0xffff : 0, 2);
  b.writeUInt32LE(ackRequired ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0, 4);
  h.key.copy(b, 8);
  b.writeUInt32LE(h.state, 24);
  b.writeUInt32LE(to, 28);
  return unsolicited(b, 0n);
}
