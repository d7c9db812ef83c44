/**
 * SMB2 OPLOCK_BREAK acknowledgments (MS-SMB2 §2.2.24 requests, §2.2.25 responses, §3.3.5.22
 * processing). The StructureSize tells the two apart:
 * - 24, Oplock Break Acknowledgment: OplockLevel, Reserved, Reserved2, FileId → the same shape
 *   back with the level now held (§3.3.5.22.1);
 * - 36, Lease Break Acknowledgment: Reserved, Flags, LeaseKey, LeaseState, LeaseDuration → the
 *   same shape back (§3.3.5.22.2). The lease is found by the connection's ClientGuid + LeaseKey.
 * The break notifications themselves are sent by leases/break-notify.ts.
 */
import { writeFileId } from '../wire';
import { type CommandContext, openAt, responseBody, type SmbCommand, type SmbResponse } from './command';

const OPLOCK_ACK = 24;
const LEASE_ACK = 36;

function oplockAck(ctx: CommandContext): SmbResponse {
  const open = openAt(ctx, 8);
  const level = ctx.server.caching.ackOplock(open, ctx.body[2]!);
  const out = responseBody(OPLOCK_ACK);
  out[2] = level;
  writeFileId(out, 8, open.fileId);
  return { body: out };
}

function leaseAck(ctx: CommandContext): SmbResponse {
  const key = Buffer.from(ctx.body.subarray(8, 24));
  const state = ctx.body.readUInt32LE(24);
  const lease = ctx.server.caching.ackLease(ctx.conn.clientGuid, key, state);
  const out = responseBody(LEASE_ACK);
  lease.key.copy(out, 8);
  out.writeUInt32LE(lease.state, 24);
  return { body: out };
}

export const oplockBreak: SmbCommand = {
  name: 'OPLOCK_BREAK',
  structureSize: OPLOCK_ACK,
  structureSizes: [OPLOCK_ACK, LEASE_ACK],
  needs: 'session',
  run(ctx: CommandContext): SmbResponse {
    return ctx.body.readUInt16LE(0) === LEASE_ACK ? leaseAck(ctx) : oplockAck(ctx);
  },
};
