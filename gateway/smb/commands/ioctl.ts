/**
 * SMB2 IOCTL (MS-SMB2 §2.2.31 request, §2.2.32 response, §3.3.5.15 processing).
 *
 * Request: StructureSize 57, CtlCode, FileId, InputOffset/Count, MaxInputResponse,
 * OutputOffset/Count, MaxOutputResponse, Flags (SMB2_0_IOCTL_IS_FSCTL). Response: StructureSize
 * 49, CtlCode, FileId, InputOffset/Count, OutputOffset/Count (output at 112 from the header).
 *
 * Served: FSCTL_VALIDATE_NEGOTIATE_INFO (§3.3.5.15.12: every field must match what NEGOTIATE
 * saw, else the connection ends unanswered; 3.1.1 never sends it and is disconnected if it
 * does; the answer is always signed). FSCTL_DFS_GET_REFERRALS(_EX): STATUS_NOT_FOUND (no DFS,
 * as Samba answers). Anything else: STATUS_NOT_SUPPORTED.
 */
import { NtStatus, SmbError } from '../ntstatus';
import { Dialect } from '../server-context';
import { bufferAt } from '../wire';
import {
  type CommandContext,
  DisconnectError,
  responseBody,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';

export const FSCTL_DFS_GET_REFERRALS = 0x00060194;
export const FSCTL_DFS_GET_REFERRALS_EX = 0x000601b0;
export const FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;
const SMB2_0_IOCTL_IS_FSCTL = 0x00000001;
const OUTPUT_OFFSET = 112;
const VALIDATE_RESPONSE_SIZE = 24;

export const ioctl: SmbCommand = {
  name: 'IOCTL',
  structureSize: 57,
  needs: 'tree',
  payloadSize: (b) =>
    Math.max(b.readUInt32LE(28) + b.readUInt32LE(40), b.readUInt32LE(32) + b.readUInt32LE(44)),
  run(ctx: CommandContext): SmbResponse {
    const { body } = ctx;
    const code = body.readUInt32LE(4);
    const input = bufferAt(ctx.message, body.readUInt32LE(24), body.readUInt32LE(28), 'ioctl input');
    const maxOut = body.readUInt32LE(44);
    if (maxOut > ctx.conn.maxIoSize || body.readUInt32LE(32) > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'ioctl response limits exceed MaxTransactSize');
    if (!(body.readUInt32LE(48) & SMB2_0_IOCTL_IS_FSCTL))
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `IOCTL 0x${code.toString(16)} (not an FSCTL)`);
    switch (code) {
      case FSCTL_VALIDATE_NEGOTIATE_INFO:
        return validateNegotiate(ctx, input, maxOut);
      case FSCTL_DFS_GET_REFERRALS:
      case FSCTL_DFS_GET_REFERRALS_EX:
        throw new SmbError(NtStatus.STATUS_NOT_FOUND, 'no DFS namespace here');
      default:
        throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `FSCTL 0x${code.toString(16).padStart(8, '0')}`);
    }
  },
};

/** §2.2.31.4 in: Capabilities, Guid, SecurityMode, DialectCount, Dialects. §2.2.32.6 out. */
function validateNegotiate(ctx: CommandContext, input: Buffer, maxOut: number): SmbResponse {
  const { conn } = ctx;
  const drop = (why: string) => new DisconnectError(`FSCTL_VALIDATE_NEGOTIATE_INFO: ${why}`);
  if (conn.dialect === Dialect.SMB3_11) throw drop('sent on a 3.1.1 connection');
  if (maxOut < VALIDATE_RESPONSE_SIZE) throw drop('MaxOutputResponse too small');
  if (input.length < 24) throw drop('input too short');
  const count = input.readUInt16LE(22);
  if (input.length < 24 + 2 * count) throw drop('dialect list truncated');
  const dialects: number[] = [];
  for (let i = 0; i < count; i++) dialects.push(input.readUInt16LE(24 + 2 * i));
  const chosen = [...ctx.server.dialects].reverse().find((d) => dialects.includes(d));
  if (input.readUInt32LE(0) !== conn.clientCapabilities) throw drop('capabilities differ');
  if (!input.subarray(4, 20).equals(conn.clientGuid)) throw drop('client GUID differs');
  if (input.readUInt16LE(20) !== conn.clientSecurityMode) throw drop('security mode differs');
  if (chosen !== conn.dialect) throw drop('dialect differs');
  const session = sessionOf(ctx);
  if (!session.canSign) throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, 'cannot sign for this session');
  const body = responseBody(49, 48 + VALIDATE_RESPONSE_SIZE);
  body.writeUInt32LE(FSCTL_VALIDATE_NEGOTIATE_INFO, 4);
  ctx.body.copy(body, 8, 8, 24);
  body.writeUInt32LE(OUTPUT_OFFSET, 24);
  body.writeUInt32LE(OUTPUT_OFFSET, 32);
  body.writeUInt32LE(VALIDATE_RESPONSE_SIZE, 36);
  const out = body.subarray(48);
  out.writeUInt32LE(conn.serverCapabilities, 0);
  ctx.server.serverGuid.copy(out, 4);
  out.writeUInt16LE(conn.serverSecurityMode, 20);
  out.writeUInt16LE(conn.dialect, 22);
  return { body, signWith: session };
}
