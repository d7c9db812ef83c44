/**
 * The checks every request passes before its command runs (MS-SMB2 §3.3.5.2): the signature
 * (§3.3.5.2.4), then StructureSize (§3.3.5.2.6), CreditCharge against the payload (§3.3.5.2.5),
 * the session (§3.3.5.2.9), the tree (§3.3.5.2.11) and a failed CREATE earlier in a related
 * chain (§3.3.5.2.7.2). Each returns the refusal, or undefined to go on.
 */
import type { ChainState, SmbCommand } from './commands/command';
import type { ConnectionState } from './connection-state';
import { expectedCreditCharge } from './credits';
import { SMB2_HEADER_SIZE, Smb2Command, Smb2Flags, type Smb2Header } from './header';
import { NtStatus, SmbError } from './ntstatus';
import type { SmbSession } from './session';

/** Commands a session that is still authenticating may run (§3.3.5.2.9). */
const IN_PROGRESS_OK = new Set<number>([Smb2Command.LOGOFF, Smb2Command.CLOSE, Smb2Command.LOCK]);
/** Commands exempt from Session.SigningRequired (they come before, or outside, a signed session). */
const UNSIGNED_OK = new Set<number>([Smb2Command.NEGOTIATE, Smb2Command.SESSION_SETUP, Smb2Command.CANCEL]);

export function checkSignature(
  conn: ConnectionState,
  message: Buffer,
  h: Smb2Header,
  session: SmbSession | undefined,
): SmbError | undefined {
  const S = NtStatus;
  if (h.flags & Smb2Flags.SIGNED) {
    if (h.command === Smb2Command.NEGOTIATE)
      return new SmbError(S.STATUS_INVALID_PARAMETER, 'signed NEGOTIATE');
    if (!session)
      return new SmbError(S.STATUS_USER_SESSION_DELETED, `session ${h.sessionId} (signed request)`);
    if (!session.canSign) {
      if (h.command === Smb2Command.SESSION_SETUP) return undefined;
      return new SmbError(S.STATUS_ACCESS_DENIED, 'signed request on a session without a key');
    }
    if (!session.verify(message)) {
      conn.log.warn('bad SMB2 signature', { mid: h.messageId.toString(), command: h.command });
      return new SmbError(S.STATUS_ACCESS_DENIED, 'bad signature');
    }
    return undefined;
  }
  if (session?.signingRequired && session.valid && !UNSIGNED_OK.has(h.command))
    return new SmbError(S.STATUS_ACCESS_DENIED, 'unsigned request on a session that requires signing');
  return undefined;
}

export function checkRequest(
  conn: ConnectionState,
  cmd: SmbCommand,
  message: Buffer,
  h: Smb2Header,
  session: SmbSession | undefined,
  chain: ChainState,
  related: boolean,
): SmbError | undefined {
  const S = NtStatus;
  const body = message.subarray(SMB2_HEADER_SIZE);
  const size = body.length >= 2 ? body.readUInt16LE(0) : -1;
  const sizes = cmd.structureSizes ?? [cmd.structureSize];
  if (!sizes.includes(size) || body.length < Math.max(2, size & ~1))
    return new SmbError(S.STATUS_INVALID_PARAMETER, `${cmd.name}: bad StructureSize or short body`);
  if (cmd.payloadSize) {
    const payload = cmd.payloadSize(body);
    if (conn.supportsMultiCredit) {
      if (Math.max(1, h.creditCharge) < expectedCreditCharge(payload))
        return new SmbError(
          S.STATUS_INVALID_PARAMETER,
          `CreditCharge ${h.creditCharge} for ${payload} bytes`,
        );
    } else if (payload > 65536) return new SmbError(S.STATUS_INVALID_PARAMETER, `${payload} bytes on 2.0.2`);
  }
  if (cmd.needs === 'connection') return undefined;
  if (!session) return new SmbError(S.STATUS_USER_SESSION_DELETED, `session ${chain.sessionId}`);
  if (!session.valid && !IN_PROGRESS_OK.has(h.command))
    return new SmbError(S.STATUS_ACCESS_DENIED, 'session still authenticating');
  if (cmd.needs === 'tree' && !session.trees.has(chain.treeId))
    return new SmbError(S.STATUS_NETWORK_NAME_DELETED, `tree ${chain.treeId}`);
  if (related && chain.createError !== undefined)
    return new SmbError(chain.createError, 'an earlier CREATE in this related chain failed');
  return undefined;
}
