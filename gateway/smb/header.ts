/**
 * The SMB2 packet header (MS-SMB2 §2.2.1): 64 bytes in front of every request and response, in
 * its sync form (§2.2.1.2: Reserved/ProcessId + TreeId at offset 32) or async form (§2.2.1.1:
 * an 8-byte AsyncId there, flag SMB2_FLAGS_ASYNC_COMMAND). Little-endian throughout.
 *
 *   0 ProtocolId 0xFE 'S' 'M' 'B'   4 StructureSize (64)   6 CreditCharge
 *   8 Status (response) / ChannelSequence + Reserved (request)   12 Command
 *  14 CreditRequest / CreditResponse   16 Flags   20 NextCommand   24 MessageId
 *  32 ProcessId + TreeId / AsyncId   40 SessionId   48 Signature (16)
 */

export const SMB2_HEADER_SIZE = 64;
/** 0xFE 'S' 'M' 'B' read as a little-endian uint32. */
export const SMB2_PROTOCOL_ID = 0x424d53fe;
/** SMB1 (0xFF 'SMB'): only its NEGOTIATE is understood (§3.3.5.3). */
export const SMB1_PROTOCOL_ID = 0x424d53ff;
/** SMB3 TRANSFORM (encrypted) header (see transform.ts). */
export const SMB2_TRANSFORM_PROTOCOL_ID = 0x424d53fd;

/** MS-SMB2 §2.2.1.2 Command. */
export enum Smb2Command {
  NEGOTIATE = 0x00,
  SESSION_SETUP = 0x01,
  LOGOFF = 0x02,
  TREE_CONNECT = 0x03,
  TREE_DISCONNECT = 0x04,
  CREATE = 0x05,
  CLOSE = 0x06,
  FLUSH = 0x07,
  READ = 0x08,
  WRITE = 0x09,
  LOCK = 0x0a,
  IOCTL = 0x0b,
  CANCEL = 0x0c,
  ECHO = 0x0d,
  QUERY_DIRECTORY = 0x0e,
  CHANGE_NOTIFY = 0x0f,
  QUERY_INFO = 0x10,
  SET_INFO = 0x11,
  OPLOCK_BREAK = 0x12,
}
export const SMB2_COMMAND_COUNT = 0x13;

/** MS-SMB2 §2.2.1.2 Flags. */
export const Smb2Flags = {
  SERVER_TO_REDIR: 0x00000001,
  ASYNC_COMMAND: 0x00000002,
  RELATED_OPERATIONS: 0x00000004,
  SIGNED: 0x00000008,
  PRIORITY_MASK: 0x00000070,
  DFS_OPERATIONS: 0x10000000,
  REPLAY_OPERATION: 0x20000000,
} as const;

/** A FileId, SessionId or MessageId of all ones: "none" / "the previous one" in related compounds. */
export const ALL_ONES_64 = 0xffffffffffffffffn;
export const ALL_ONES_32 = 0xffffffff;

export interface Smb2Header {
  readonly creditCharge: number;
  /** Status in a response; ChannelSequence (low 16 bits) in a request from a 3.x client. */
  readonly status: number;
  readonly command: number;
  /** CreditRequest in a request, CreditResponse in a response. */
  readonly credits: number;
  readonly flags: number;
  readonly nextCommand: number;
  readonly messageId: bigint;
  /** Sync form only (0 in the async form). */
  readonly processId: number;
  readonly treeId: number;
  /** Async form only. */
  readonly asyncId?: bigint;
  readonly sessionId: bigint;
  readonly signature: Buffer;
}

export class HeaderError extends Error {
  override readonly name = 'HeaderError';
}

/** Reads the header at `offset`; throws HeaderError if it is not a well-formed SMB2 header. */
export function decodeHeader(buf: Buffer, offset = 0): Smb2Header {
  if (buf.length - offset < SMB2_HEADER_SIZE)
    throw new HeaderError(`${buf.length - offset} bytes is shorter than an SMB2 header`);
  if (buf.readUInt32LE(offset) !== SMB2_PROTOCOL_ID) throw new HeaderError('not an SMB2 ProtocolId');
  if (buf.readUInt16LE(offset + 4) !== SMB2_HEADER_SIZE)
    throw new HeaderError('header StructureSize is not 64');
  const flags = buf.readUInt32LE(offset + 16);
  const async = (flags & Smb2Flags.ASYNC_COMMAND) !== 0;
  const h: Smb2Header = {
    creditCharge: buf.readUInt16LE(offset + 6),
    status: buf.readUInt32LE(offset + 8),
    command: buf.readUInt16LE(offset + 12),
    credits: buf.readUInt16LE(offset + 14),
    flags,
    nextCommand: buf.readUInt32LE(offset + 20),
    messageId: buf.readBigUInt64LE(offset + 24),
    processId: async ? 0 : buf.readUInt32LE(offset + 32),
    treeId: async ? 0 : buf.readUInt32LE(offset + 36),
    sessionId: buf.readBigUInt64LE(offset + 40),
    signature: buf.subarray(offset + 48, offset + 64),
  };
  return async ? { ...h, asyncId: buf.readBigUInt64LE(offset + 32) } : h;
}

export interface ResponseHeaderFields {
  readonly creditCharge: number;
  readonly status: number;
  readonly command: number;
  readonly credits: number;
  /** Without SERVER_TO_REDIR; it is always added. SIGNED is set by signing, not here. */
  readonly flags: number;
  readonly nextCommand: number;
  readonly messageId: bigint;
  readonly processId: number;
  readonly treeId: number;
  readonly asyncId?: bigint;
  readonly sessionId: bigint;
}

/** Writes a response header (signature zero) at `offset` of `buf`. */
export function encodeResponseHeader(h: ResponseHeaderFields, buf: Buffer, offset = 0): void {
  buf.fill(0, offset, offset + SMB2_HEADER_SIZE);
  buf.writeUInt32LE(SMB2_PROTOCOL_ID, offset);
  buf.writeUInt16LE(SMB2_HEADER_SIZE, offset + 4);
  buf.writeUInt16LE(h.creditCharge, offset + 6);
  buf.writeUInt32LE(h.status >>> 0, offset + 8);
  buf.writeUInt16LE(h.command, offset + 12);
  buf.writeUInt16LE(h.credits, offset + 14);
  let flags = (h.flags | Smb2Flags.SERVER_TO_REDIR) & ~Smb2Flags.SIGNED;
  if (h.asyncId !== undefined) flags |= Smb2Flags.ASYNC_COMMAND;
  buf.writeUInt32LE(flags >>> 0, offset + 16);
  buf.writeUInt32LE(h.nextCommand, offset + 20);
  buf.writeBigUInt64LE(h.messageId, offset + 24);
  if (h.asyncId !== undefined) buf.writeBigUInt64LE(h.asyncId, offset + 32);
  else {
    buf.writeUInt32LE(h.processId >>> 0, offset + 32);
    buf.writeUInt32LE(h.treeId >>> 0, offset + 36);
  }
  buf.writeBigUInt64LE(h.sessionId, offset + 40);
}
