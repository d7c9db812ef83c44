/**
 * The one SMB1 message we understand: a multi-protocol SMB_COM_NEGOTIATE (MS-CIFS §2.2.4.52)
 * as the first message of a connection, answered per MS-SMB2 §3.3.5.3.1 with an SMB2 NEGOTIATE
 * response — DialectRevision 0x02FF ("SMB 2.???": the client then sends an SMB2 NEGOTIATE with
 * MessageId 1) or 0x0202 when the client lists only "SMB 2.002". Anything else of SMB1 ends the
 * connection: we speak no SMB1.
 *
 * Layout read: 32-byte SMB header (0xFF 'SMB', Command at 4), WordCount (1 byte) and its words,
 * ByteCount (2), then the dialects, each 0x02 followed by a NUL-terminated ASCII name.
 */
import { encodeNegotiateResponse } from './commands/negotiate';
import {
  type ConnectionState,
  SMB2_NEGOTIATE_SIGNING_ENABLED,
  SMB2_NEGOTIATE_SIGNING_REQUIRED,
  Smb2Capabilities,
} from './connection-state';
import { encodeResponseHeader, SMB1_PROTOCOL_ID, SMB2_HEADER_SIZE, Smb2Command } from './header';
import { Dialect } from './server-context';

const SMB_COM_NEGOTIATE = 0x72;
const SMB1_HEADER_SIZE = 32;
/** More dialect strings than any client sends (Windows sends about ten). */
const MAX_DIALECTS = 64;

export class Smb1Error extends Error {
  override readonly name = 'Smb1Error';
}

/** The dialect strings of an SMB1 NEGOTIATE; throws Smb1Error if `msg` is not one. */
export function parseSmb1Negotiate(msg: Buffer): string[] {
  if (msg.length < SMB1_HEADER_SIZE + 3 || msg.readUInt32LE(0) !== SMB1_PROTOCOL_ID)
    throw new Smb1Error('not an SMB1 message');
  if (msg[4] !== SMB_COM_NEGOTIATE) throw new Smb1Error(`SMB1 command 0x${msg[4]!.toString(16)}`);
  const words = msg[SMB1_HEADER_SIZE]!;
  const bcAt = SMB1_HEADER_SIZE + 1 + 2 * words;
  if (bcAt + 2 > msg.length) throw new Smb1Error('truncated SMB1 NEGOTIATE');
  const end = bcAt + 2 + msg.readUInt16LE(bcAt);
  if (end > msg.length) throw new Smb1Error('SMB1 ByteCount past the message');
  const names: string[] = [];
  let at = bcAt + 2;
  while (at < end) {
    if (msg[at] !== 0x02) throw new Smb1Error('SMB1 dialect without its 0x02 marker');
    const nul = msg.indexOf(0, at + 1);
    if (nul < 0 || nul >= end) throw new Smb1Error('unterminated SMB1 dialect string');
    names.push(msg.toString('latin1', at + 1, nul));
    if (names.length > MAX_DIALECTS) throw new Smb1Error('too many SMB1 dialect strings');
    at = nul + 1;
  }
  return names;
}

/**
 * Answers an SMB1 NEGOTIATE on a fresh connection: the SMB2 response message (no framing), or
 * Smb1Error when the client offers no SMB2 dialect we serve.
 */
export function answerSmb1Negotiate(conn: ConnectionState, msg: Buffer): Buffer {
  const names = parseSmb1Negotiate(msg);
  const server = conn.server;
  const maxDialect = server.dialects.at(-1)!;
  let dialect: number;
  if (names.includes('SMB 2.???') && maxDialect > Dialect.SMB2_02) dialect = Dialect.WILDCARD;
  else if (names.includes('SMB 2.002') && server.dialects.includes(Dialect.SMB2_02))
    dialect = Dialect.SMB2_02;
  else throw new Smb1Error(`no SMB2 dialect offered (${names.join(', ')})`);
  if (!conn.credits.consume(0n, 1)) throw new Smb1Error('SMB1 NEGOTIATE after the first message');
  conn.dialect = dialect;
  conn.serverSecurityMode =
    SMB2_NEGOTIATE_SIGNING_ENABLED | (server.requireSigning ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
  conn.serverCapabilities = dialect === Dialect.WILDCARD ? Smb2Capabilities.LARGE_MTU : 0;
  const body = encodeNegotiateResponse(conn, dialect, []);
  const out = Buffer.alloc(SMB2_HEADER_SIZE + body.length);
  encodeResponseHeader(
    {
      creditCharge: 0,
      status: 0,
      command: Smb2Command.NEGOTIATE,
      credits: conn.credits.grant(1),
      flags: 0,
      nextCommand: 0,
      messageId: 0n,
      processId: 0,
      treeId: 0,
      sessionId: 0n,
    },
    out,
  );
  body.copy(out, SMB2_HEADER_SIZE);
  return out;
}
