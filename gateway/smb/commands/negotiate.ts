/**
 * SMB2 NEGOTIATE (MS-SMB2 §2.2.3 request, §2.2.4 response, §3.3.5.4 processing).
 *
 * Request: StructureSize 36, DialectCount, SecurityMode, Capabilities, ClientGuid, then (3.1.1)
 * NegotiateContextOffset/Count, and the Dialects array at body offset 36.
 * Response: StructureSize 65, SecurityMode, DialectRevision, NegotiateContextCount, ServerGuid,
 * Capabilities, MaxTransact/Read/WriteSize, SystemTime, ServerStartTime, the security buffer
 * (our SPNEGO hint, at 128 from the header) and, for 3.1.1, the negotiate contexts after it.
 *
 * We pick the highest dialect both sides offer, advertise LARGE_MTU and LEASING from 2.1 on and nothing we
 * do not implement (no multichannel, DFS). Encryption (unless smbEncryption is 'off'):
 * 3.0/3.0.2 set SMB2_GLOBAL_CAP_ENCRYPTION when the client offered it (cipher AES-128-CCM); 3.1.1
 * answers ENCRYPTION_CAPABILITIES with the first cipher the client lists. A second NEGOTIATE on
 * a negotiated connection ends it without a reply.
 */
import { randomBytes } from 'node:crypto';
import { buildNegTokenInitHint } from '../auth';
import {
  type ConnectionState,
  SMB2_NEGOTIATE_SIGNING_ENABLED,
  SMB2_NEGOTIATE_SIGNING_REQUIRED,
  Smb2Capabilities,
} from '../connection-state';
import { PreauthHash } from '../crypto';
import { NtStatus, SmbError } from '../ntstatus';
import { Dialect } from '../server-context';
import { align8, fileTimeNow } from '../wire';
import { type CommandContext, DisconnectError, type SmbCommand, type SmbResponse } from './command';
import { buildNegotiateContexts, parseNegotiateContexts } from './negotiate-contexts';

const SECURITY_BUFFER_OFFSET = 128;
const NEG_HINT = buildNegTokenInitHint();

export const negotiate: SmbCommand = {
  name: 'NEGOTIATE',
  structureSize: 36,
  needs: 'connection',
  run(ctx: CommandContext): SmbResponse {
    const { conn, body, server } = ctx;
    if (conn.negotiated) throw new DisconnectError('second NEGOTIATE on a negotiated connection');
    const count = body.readUInt16LE(2);
    if (count === 0) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'DialectCount 0');
    if (36 + 2 * count > body.length)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `${count} dialects do not fit the request`);
    const offered: number[] = [];
    for (let i = 0; i < count; i++) offered.push(body.readUInt16LE(36 + 2 * i));
    const dialect = [...server.dialects].reverse().find((d) => offered.includes(d));
    if (dialect === undefined)
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `no common dialect in ${hexList(offered)}`);

    const clientCapabilities = body.readUInt32LE(8);
    const encryption = server.encryption !== 'off';
    let contexts: Buffer[] = [];
    if (dialect === Dialect.SMB3_11) {
      const c = parseNegotiateContexts(ctx.message, body.readUInt32LE(28), body.readUInt16LE(32));
      conn.signingAlgorithm = c.signing ?? 'aes-cmac';
      if (encryption && c.cipher) conn.cipher = c.cipher;
      contexts = buildNegotiateContexts(
        randomBytes(32),
        c.signingOffered ? conn.signingAlgorithm : undefined,
        encryption && c.cipher !== undefined ? (conn.cipher ?? null) : undefined,
      );
      conn.preauth = new PreauthHash().update(ctx.message);
    } else if (
      encryption &&
      dialect >= Dialect.SMB3_00 &&
      (clientCapabilities & Smb2Capabilities.ENCRYPTION) !== 0
    )
      conn.cipher = 'aes-128-ccm';
    conn.dialect = dialect;
    conn.clientSecurityMode = body.readUInt16LE(4);
    conn.clientCapabilities = clientCapabilities;
    conn.clientGuid = Buffer.from(body.subarray(12, 28));
    conn.clientDialects = offered;
    conn.serverSecurityMode =
      SMB2_NEGOTIATE_SIGNING_ENABLED | (server.requireSigning ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
    // One expression, one term per capability (3.1.1 negotiates encryption by context instead).
    conn.serverCapabilities =
      (dialect >= Dialect.SMB2_10 ? Smb2Capabilities.LARGE_MTU | Smb2Capabilities.LEASING : 0) |
      (conn.cipher && dialect < Dialect.SMB3_11 ? Smb2Capabilities.ENCRYPTION : 0);
    ctx.log.debug('negotiated', { dialect: hex(dialect), offered: hexList(offered), cipher: conn.cipher });
    const preauth = conn.preauth;
    return {
      body: encodeNegotiateResponse(conn, dialect, contexts),
      ...(preauth ? { onEncoded: (m: Buffer) => void preauth.update(m) } : {}),
    };
  },
};

/** The NEGOTIATE response body for `dialect` (also the SMB1 path's wildcard answer). */
export function encodeNegotiateResponse(conn: ConnectionState, dialect: number, contexts: Buffer[]): Buffer {
  const server = conn.server;
  const secEnd = SECURITY_BUFFER_OFFSET + NEG_HINT.length;
  const ctxStart = contexts.length ? align8(secEnd) : secEnd;
  let end = ctxStart;
  const ctxOffsets: number[] = [];
  for (const c of contexts) {
    end = align8(end);
    ctxOffsets.push(end);
    end += c.length;
  }
  const b = Buffer.alloc(end - 64);
  b.writeUInt16LE(65, 0);
  b.writeUInt16LE(conn.serverSecurityMode, 2);
  b.writeUInt16LE(dialect, 4);
  b.writeUInt16LE(contexts.length, 6);
  server.serverGuid.copy(b, 8);
  b.writeUInt32LE(conn.serverCapabilities, 24);
  const io = dialect === Dialect.SMB2_02 ? 65536 : server.limits.maxIoSize;
  b.writeUInt32LE(io, 28);
  b.writeUInt32LE(io, 32);
  b.writeUInt32LE(io, 36);
  b.writeBigUInt64LE(fileTimeNow(), 40);
  b.writeBigUInt64LE(0n, 48);
  b.writeUInt16LE(SECURITY_BUFFER_OFFSET, 56);
  b.writeUInt16LE(NEG_HINT.length, 58);
  b.writeUInt32LE(contexts.length ? ctxStart : 0, 60);
  NEG_HINT.copy(b, SECURITY_BUFFER_OFFSET - 64);
  contexts.forEach((c, i) => {
    c.copy(b, ctxOffsets[i]! - 64);
  });
  return b;
}

export function hex(d: number): string {
  return `0x${d.toString(16).padStart(4, '0')}`;
}

function hexList(ds: readonly number[]): string {
  return ds.map(hex).join(',');
}
