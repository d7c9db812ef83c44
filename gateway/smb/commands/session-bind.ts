/**
 * SESSION_SETUP with SMB2_SESSION_FLAG_BINDING (MS-SMB2 §3.3.5.5.2): a client asks to bind a
 * session of another connection to this one (multichannel). We do not offer multichannel (no
 * SMB2_GLOBAL_CAP_MULTI_CHANNEL), so every bind is refused — but with the status Samba gives for
 * the mismatch at hand, found in the global session table, and signed with that session's key
 * when the request proved it holds the key (the client only believes a signed refusal):
 *
 * - signing algorithms differ and one is AES-GMAC: this connection's is GMAC → NOT_SUPPORTED,
 *   the session's is → REQUEST_OUT_OF_SEQUENCE (checked first, as Samba does);
 * - this connection is SMB 2.x → REQUEST_NOT_ACCEPTED;
 * - another dialect or cipher than the session's connection → INVALID_PARAMETER;
 * - otherwise → REQUEST_NOT_ACCEPTED (no multichannel here).
 * An unknown session is USER_SESSION_DELETED. So is a plain (not binding) SESSION_SETUP naming
 * another connection's session, signed by that session when the request was (Samba looks the
 * session up globally for this, bug 14512).
 */
import { NtStatus, SmbError } from '../ntstatus';
import { Dialect } from '../server-context';
import type { SmbSession } from '../session';
import { type CommandContext, responseBody, type SmbResponse } from './command';

/** The refusal, signed by `session` when the request carries a valid signature of it. */
function refusal(ctx: CommandContext, session: SmbSession, status: number): SmbResponse {
  return {
    status,
    body: responseBody(9),
    sessionId: session.id,
    ...(session.verify(ctx.message) ? { signWith: session } : {}),
  };
}

/** SESSION_SETUP without BINDING naming a session this connection does not hold. */
export function foreignSession(ctx: CommandContext): SmbResponse {
  const session = ctx.server.sessions.get(ctx.header.sessionId);
  if (!session?.valid)
    throw new SmbError(NtStatus.STATUS_USER_SESSION_DELETED, `session ${ctx.header.sessionId}`);
  return refusal(ctx, session, NtStatus.STATUS_USER_SESSION_DELETED);
}

export function refuseBinding(ctx: CommandContext): SmbResponse {
  const { conn, server, header } = ctx;
  const session = server.sessions.get(header.sessionId);
  const home = session?.conn;
  if (!session?.valid || !home)
    throw new SmbError(NtStatus.STATUS_USER_SESSION_DELETED, `bind to unknown session ${header.sessionId}`);
  const ours = conn.dialect >= Dialect.SMB3_00 ? conn.signingAlgorithm : 'hmac-sha256';
  const theirs = session.signingAlgorithm;
  let status: number = NtStatus.STATUS_REQUEST_NOT_ACCEPTED;
  let why = 'session binding (multichannel) is not offered';
  if (ours !== theirs && (ours === 'aes-gmac' || theirs === 'aes-gmac')) {
    status = ours === 'aes-gmac' ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_REQUEST_OUT_OF_SEQUENCE;
    why = `bind from a ${ours} connection to a ${theirs} session`;
  } else if (conn.dialect < Dialect.SMB3_00) {
    why = 'bind on an SMB 2.x connection';
  } else if (conn.dialect !== home.dialect || conn.cipher !== home.cipher) {
    status = NtStatus.STATUS_INVALID_PARAMETER;
    why = `bind across dialects or ciphers (${conn.dialect.toString(16)}/${conn.cipher} to ${home.dialect.toString(16)}/${home.cipher})`;
  }
  ctx.log.debug('SMB session bind refused', { session: session.id.toString(16), why });
  return refusal(ctx, session, status);
}
