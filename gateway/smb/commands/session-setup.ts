/**
 * SMB2 SESSION_SETUP (MS-SMB2 §2.2.5 request, §2.2.6 response, §3.3.5.5 processing).
 *
 * Request: StructureSize 25, Flags (BINDING 0x01), SecurityMode, Capabilities, Channel, the
 * security buffer (offset/length), PreviousSessionId. Response: StructureSize 9, SessionFlags,
 * the security buffer (at 72 from the header).
 *
 * SessionId 0 starts a session; a known SessionId continues its exchange, or re-authenticates
 * a valid session. Each leg goes through the NtlmServer (SPNEGO or bare NTLMSSP, answered in
 * kind). 3.1.1 keeps the session's preauth hash over every SESSION_SETUP request and every
 * non-final response, and derives the signing key from it (§3.3.5.5.3); the final response of
 * an authenticated (not null) session is signed for every dialect. A refused logon removes the
 * session, logs one warning line naming user, client and reason, and answers LOGON_FAILURE.
 * Session binding (multichannel) is not offered: STATUS_REQUEST_NOT_ACCEPTED.
 *
 * SMB 3.x also derives the session's cipher keys when the connection negotiated a cipher; with
 * smbEncryption 'desired' or 'required' the response sets SMB2_SESSION_FLAG_ENCRYPT_DATA, and
 * 'required' refuses (ACCESS_DENIED) a client that cannot encrypt. A new session naming a
 * PreviousSessionId of the same user logs that old session off, wherever it is (§3.3.5.5.3).
 */
import type { NtlmAcceptResult } from '../auth';
import { closeOpensWhere } from '../close-open';
import { type ConnectionState, SMB2_NEGOTIATE_SIGNING_REQUIRED } from '../connection-state';
import { cipherKeySize, deriveSmb3Keys } from '../crypto';
import { NtStatus, SmbError } from '../ntstatus';
import { Dialect } from '../server-context';
import { SmbSession } from '../session';
import { newSessionCipher } from '../transform';
import { bufferAt } from '../wire';
import { type CommandContext, responseBody, type SmbCommand, type SmbResponse } from './command';

const SMB2_SESSION_FLAG_BINDING = 0x01;
const SMB2_SESSION_FLAG_IS_NULL = 0x0002;
const SMB2_SESSION_FLAG_ENCRYPT_DATA = 0x0004;
const SECURITY_BUFFER_OFFSET = 72;

export const sessionSetup: SmbCommand = {
  name: 'SESSION_SETUP',
  structureSize: 25,
  needs: 'connection',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { conn, server, body, header } = ctx;
    if (body[2]! & SMB2_SESSION_FLAG_BINDING)
      throw new SmbError(
        NtStatus.STATUS_REQUEST_NOT_ACCEPTED,
        'session binding (multichannel) is not offered',
      );
    const token = bufferAt(ctx.message, body.readUInt16LE(12), body.readUInt16LE(14), 'security buffer');
    let session: SmbSession;
    if (header.sessionId === 0n) {
      if (conn.sessions.size >= server.limits.maxSessionsPerConnection)
        throw new SmbError(NtStatus.STATUS_INSUFFICIENT_RESOURCES, 'too many sessions on this connection');
      session = new SmbSession(server.newSessionId(), conn);
      if (conn.dialect === Dialect.SMB3_11) session.preauth = conn.preauth!.fork();
      conn.sessions.set(session.id, session);
    } else {
      const found = conn.sessions.get(header.sessionId);
      if (!found) throw new SmbError(NtStatus.STATUS_USER_SESSION_DELETED, `session ${header.sessionId}`);
      session = found;
    }
    session.auth ??= server.ntlm.createSession();
    const preauth = session.valid ? undefined : session.preauth;
    preauth?.update(ctx.message);
    const r = session.auth.accept(token);
    if (r.status === 'continue') {
      return {
        status: NtStatus.STATUS_MORE_PROCESSING_REQUIRED,
        body: encode(0, r.responseToken),
        sessionId: session.id,
        ...(preauth ? { onEncoded: (m: Buffer) => void preauth.update(m) } : {}),
      };
    }
    session.auth = undefined;
    if (r.status === 'denied') {
      if (!session.valid) conn.sessions.delete(session.id);
      server.log.warn('SMB logon failed', {
        client: conn.peer,
        user: r.user ?? '',
        domain: r.domain ?? '',
        code: r.code,
        reason: r.reason,
      });
      throw new SmbError(NtStatus.STATUS_LOGON_FAILURE, `logon failed: ${r.reason}`);
    }
    const wasValid = session.valid;
    establish(conn, session, r, body[3]!);
    if (!wasValid) {
      server.sessions.set(session.id, session);
      const previous = body.readBigUInt64LE(16);
      if (previous !== 0n && previous !== session.id) await logOffPrevious(ctx, session, previous);
    }
    ctx.log.debug(wasValid ? 'SMB session re-authenticated' : 'SMB session established', {
      user: session.user,
      session: session.id.toString(16),
      ntlm: `v${r.ntlmVersion}`,
    });
    const flags = session.anonymous
      ? SMB2_SESSION_FLAG_IS_NULL
      : session.encryptData
        ? SMB2_SESSION_FLAG_ENCRYPT_DATA
        : 0;
    return {
      body: encode(flags, r.responseToken),
      sessionId: session.id,
      ...(session.canSign ? { signWith: session } : {}),
    };
  },
};

/** The session is authenticated: identity, and (first logon only) its signing key. */
function establish(
  conn: ConnectionState,
  session: SmbSession,
  r: Extract<NtlmAcceptResult, { status: 'ok' }>,
  requestSecurityMode: number,
): void {
  session.user = r.user;
  session.domain = r.domain;
  session.anonymous = r.guest;
  session.cred = conn.server.credFor(r.user, r.guest);
  if (session.valid) return;
  const mode = conn.server.encryption;
  if (mode === 'required' && (!conn.cipher || !r.sessionKey || r.guest)) {
    conn.sessions.delete(session.id);
    throw new SmbError(
      NtStatus.STATUS_ACCESS_DENIED,
      'encryption is required and this session cannot encrypt',
    );
  }
  session.state = 'valid';
  if (!r.sessionKey || r.guest) return;
  const key = Buffer.alloc(16);
  r.sessionKey.copy(key, 0, 0, 16);
  if (conn.dialect >= Dialect.SMB3_00) {
    const d = conn.dialect as 0x0300 | 0x0302 | 0x0311;
    const cipherKeyBits = conn.cipher && cipherKeySize(conn.cipher) === 32 ? 256 : 128;
    const opts = d === Dialect.SMB3_11 ? { preauthHash: session.preauth!.value, cipherKeyBits } : {};
    const keys = deriveSmb3Keys(key, d, opts as { preauthHash?: Buffer; cipherKeyBits?: 128 | 256 });
    session.signingKey = keys.signingKey;
    session.signingAlgorithm = d === Dialect.SMB3_11 ? conn.signingAlgorithm : 'aes-cmac';
    if (conn.cipher) {
      session.cipher = newSessionCipher(conn.cipher, keys.encryptionKey, keys.decryptionKey);
      session.encryptData = mode === 'desired' || mode === 'required';
      session.rejectUnencrypted = mode === 'required';
    }
  } else {
    session.signingKey = key;
    session.signingAlgorithm = 'hmac-sha256';
  }
  session.signingRequired =
    conn.server.requireSigning ||
    (requestSecurityMode & SMB2_NEGOTIATE_SIGNING_REQUIRED) !== 0 ||
    (conn.clientSecurityMode & SMB2_NEGOTIATE_SIGNING_REQUIRED) !== 0;
  session.preauth = undefined;
}

/**
 * §3.3.5.5.3: the client reconnects and names its old session. If that session belongs to the
 * same user, it is logged off (opens closed, trees gone) on whatever connection holds it.
 */
async function logOffPrevious(ctx: CommandContext, session: SmbSession, previousId: bigint): Promise<void> {
  const old = ctx.server.sessions.get(previousId);
  if (!old || old.user.toLowerCase() !== session.user.toLowerCase() || old.domain !== session.domain) return;
  ctx.server.sessions.delete(previousId);
  old.conn?.sessions.delete(previousId);
  old.trees.clear();
  ctx.log.debug('SMB previous session logged off', { previous: previousId.toString(16) });
  await closeOpensWhere(ctx.server, (o) => o.session === old, ctx.log);
}

function encode(sessionFlags: number, token: Buffer | undefined): Buffer {
  const t = token ?? Buffer.alloc(0);
  const b = responseBody(9, 8 + t.length);
  b.writeUInt16LE(sessionFlags, 2);
  b.writeUInt16LE(t.length ? SECURITY_BUFFER_OFFSET : 0, 4);
  b.writeUInt16LE(t.length, 6);
  t.copy(b, 8);
  return b;
}
