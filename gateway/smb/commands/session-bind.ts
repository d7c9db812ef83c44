/**
 * SESSION_SETUP with SMB2_SESSION_FLAG_BINDING (MS-SMB2 §3.3.5.5.2, §3.3.5.5.3): a client binds
 * a session of another connection to this one (multichannel, 3.x). The session is found in the
 * global session table; the bind is refused with the status Samba gives for the mismatch at
 * hand, signed with the session's key when the request proved it holds the key (the client
 * only believes a signed refusal):
 *
 * - signing algorithms differ and one is AES-GMAC: this connection's is GMAC → NOT_SUPPORTED,
 *   the session's is → REQUEST_OUT_OF_SEQUENCE (checked first, as Samba does);
 * - this connection is SMB 2.x → REQUEST_NOT_ACCEPTED;
 * - another dialect or cipher than the session's connection → INVALID_PARAMETER;
 * - already bound here, or a request not signed with the session's key → ACCESS_DENIED.
 * Otherwise the client authenticates again (NTLM, same user) and the connection gets a channel
 * of the session (session.ts bindChannel) signing with its own key: the KDF over the new
 * logon's session key (3.1.1: with this connection's preauth hash through the binding
 * requests). An unknown session is USER_SESSION_DELETED. So is a plain (not binding)
 * SESSION_SETUP naming another connection's session, signed by that session when the request
 * was (Samba looks the session up globally for this, bug 14512).
 */
import { deriveSmb3Keys, type Smb3Dialect } from '../crypto';
import { NtStatus, SmbError } from '../ntstatus';
import { Dialect } from '../server-context';
import { bindChannel, type SmbSession } from '../session';
import { bufferAt } from '../wire';
import { type CommandContext, responseBody, type SmbResponse } from './command';
import { encode } from './session-setup';

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

/** Why this bind cannot go on, as Samba's status; undefined when it may. */
function mismatch(ctx: CommandContext, session: SmbSession): { status: number; why: string } | undefined {
  const { conn } = ctx;
  const home = session.conn!;
  const ours = conn.dialect >= Dialect.SMB3_00 ? conn.signingAlgorithm : 'hmac-sha256';
  const theirs = session.signingAlgorithm;
  if (ours !== theirs && (ours === 'aes-gmac' || theirs === 'aes-gmac'))
    return {
      status: ours === 'aes-gmac' ? NtStatus.STATUS_NOT_SUPPORTED : NtStatus.STATUS_REQUEST_OUT_OF_SEQUENCE,
      why: `bind from a ${ours} connection to a ${theirs} session`,
    };
  if (conn.dialect < Dialect.SMB3_00)
    return { status: NtStatus.STATUS_REQUEST_NOT_ACCEPTED, why: 'bind on an SMB 2.x connection' };
  if (conn.dialect !== home.dialect || conn.cipher !== home.cipher)
    return {
      status: NtStatus.STATUS_INVALID_PARAMETER,
      why: `bind across dialects or ciphers (${conn.dialect.toString(16)}/${conn.cipher} to ${home.dialect.toString(16)}/${home.cipher})`,
    };
  if (conn.sessions.has(session.id))
    return { status: NtStatus.STATUS_ACCESS_DENIED, why: 'session already bound to this connection' };
  if (!session.verify(ctx.message))
    return { status: NtStatus.STATUS_ACCESS_DENIED, why: 'bind request not signed with the session key' };
  return undefined;
}

export function bindSession(ctx: CommandContext): SmbResponse {
  const { conn, server, header, body } = ctx;
  const session = server.sessions.get(header.sessionId);
  if (!session?.valid || !session.conn || session.anonymous || !session.canSign)
    throw new SmbError(NtStatus.STATUS_USER_SESSION_DELETED, `bind to unknown session ${header.sessionId}`);
  const bad = mismatch(ctx, session);
  if (bad) {
    conn.binds.delete(session.id);
    ctx.log.debug('SMB session bind refused', { session: session.id.toString(16), why: bad.why });
    return refusal(ctx, session, bad.status);
  }
  const token = bufferAt(ctx.message, body.readUInt16LE(12), body.readUInt16LE(14), 'security buffer');
  let pending = conn.binds.get(session.id);
  if (!pending) {
    pending = {
      auth: server.ntlm.createSession(),
      ...(conn.dialect === Dialect.SMB3_11 ? { preauth: conn.preauth!.fork() } : {}),
    };
    conn.binds.set(session.id, pending);
  }
  const preauth = pending.preauth;
  preauth?.update(ctx.message);
  const r = pending.auth.accept(token);
  if (r.status === 'continue')
    return {
      status: NtStatus.STATUS_MORE_PROCESSING_REQUIRED,
      body: encode(0, r.responseToken),
      sessionId: session.id,
      signWith: session,
      ...(preauth ? { onEncoded: (m: Buffer) => void preauth.update(m) } : {}),
    };
  conn.binds.delete(session.id);
  if (r.status === 'denied') {
    server.log.warn('SMB session bind failed', { client: conn.peer, user: r.user ?? '', reason: r.reason });
    return refusal(ctx, session, NtStatus.STATUS_LOGON_FAILURE);
  }
  if (r.guest || !r.sessionKey || r.user.toLowerCase() !== session.user.toLowerCase())
    return refusal(ctx, session, NtStatus.STATUS_ACCESS_DENIED);
  const key = Buffer.alloc(16);
  r.sessionKey.copy(key, 0, 0, 16);
  const dialect = conn.dialect as Smb3Dialect;
  const signingKey = deriveSmb3Keys(key, dialect, preauth ? { preauthHash: preauth.value } : {}).signingKey;
  const channel = bindChannel(session, conn, signingKey, conn.signingAlgorithm);
  conn.sessions.set(session.id, channel);
  ctx.log.debug('SMB session bound to another connection', { session: session.id.toString(16) });
  return { body: encode(0, r.responseToken), sessionId: session.id, signWith: channel };
}
