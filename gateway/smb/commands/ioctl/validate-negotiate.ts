/**
 * FSCTL_VALIDATE_NEGOTIATE_INFO (MS-SMB2 §2.2.31.4 in, §2.2.32.6 out, §3.3.5.15.12): every field
 * must match what NEGOTIATE saw, else the connection ends unanswered; 3.1.1 never sends it and is
 * disconnected if it does; the answer is always signed.
 * In: Capabilities, Guid, SecurityMode, DialectCount, Dialects. Out: Capabilities, Guid,
 * SecurityMode, Dialect (24 bytes).
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { Dialect } from '../../server-context';
import { DisconnectError, sessionOf } from '../command';
import type { FsctlHandler } from './fsctl';

const RESPONSE_SIZE = 24;

export const validateNegotiate: FsctlHandler = {
  noOpen: true,
  pipe: true,
  run({ ctx, input, maxOutput }) {
    const { conn } = ctx;
    const drop = (why: string) => new DisconnectError(`FSCTL_VALIDATE_NEGOTIATE_INFO: ${why}`);
    if (conn.dialect === Dialect.SMB3_11) throw drop('sent on a 3.1.1 connection');
    if (maxOutput < RESPONSE_SIZE) throw drop('MaxOutputResponse too small');
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
    const out = Buffer.alloc(RESPONSE_SIZE);
    out.writeUInt32LE(conn.serverCapabilities, 0);
    ctx.server.serverGuid.copy(out, 4);
    out.writeUInt16LE(conn.serverSecurityMode, 20);
    out.writeUInt16LE(conn.dialect, 22);
    return { output: out, signWith: session };
  },
};
