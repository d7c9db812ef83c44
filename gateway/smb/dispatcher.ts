/**
 * One SMB2 frame in, one response frame out (MS-SMB2 §3.3.5.2 "Receiving Any Message").
 *
 * A frame is one message or a compound chain (§3.3.5.2.7): members linked by NextCommand,
 * 8-byte aligned, processed in order; a related member (SMB2_FLAGS_RELATED_OPERATIONS) takes
 * the SessionId, TreeId and FileId of the one before it, and fails like a CREATE before it
 * failed. The responses go back in one frame, each member padded to 8 bytes and signed on its
 * own (§3.3.4.1.1).
 *
 * Per member, in this order: the credit window (a MessageId outside it ends the connection,
 * §3.3.5.2.3), related-ness, the signature (bad → STATUS_ACCESS_DENIED, §3.3.5.2.4), the
 * command table (a code past OPLOCK_BREAK → STATUS_INVALID_PARAMETER: see `unknownCommand`),
 * StructureSize (§3.3.5.2.6), CreditCharge against the payload (§3.3.5.2.5), the session
 * (§3.3.5.2.9) and the tree (§3.3.5.2.11), then the command.
 *
 * A frame that came in a TRANSFORM header (decrypted by the connection) is not signature-checked
 * and its responses are not signed: the AEAD tag covers it, and the connection encrypts the
 * answer (§3.3.4.1.4). A session that requires encryption refuses unencrypted requests.
 */
import {
  type ChainState,
  type CommandContext,
  DisconnectError,
  type SmbCommand,
  type SmbResponse,
} from './commands/command';
import type { ConnectionState } from './connection-state';
import {
  decodeHeader,
  HeaderError,
  SMB2_HEADER_SIZE,
  Smb2Command,
  Smb2Flags,
  type Smb2Header,
} from './header';
import { isExpectedStatus, NtStatus, ntStatusName, SmbError, toNtStatus } from './ntstatus';
import { checkRequest, checkSignature } from './request-checks';
import { encodeResponses, type ResponseMember } from './response-frame';
import type { SmbSession } from './session';

export type DispatchResult =
  | { readonly frame: Buffer }
  | { readonly disconnect: string }
  | { readonly none: true };

/**
 * Our reading of a command code past the last one defined: §3.3.5.2.6 says disconnect; we
 * answer STATUS_INVALID_PARAMETER as Samba does (smbtorture smb2.compound.invalid4 expects it)
 * and keep the connection (and every other session on it) alive — a bad request should cost
 * only itself.
 */
const unknownCommand = (code: number): SmbError =>
  new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `unknown command 0x${code.toString(16)}`);

/** Requests a session that requires encryption still takes in the clear (§3.3.5.2.9: before it has keys). */
const UNENCRYPTED_OK = new Set<number>([
  Smb2Command.NEGOTIATE,
  Smb2Command.SESSION_SETUP,
  Smb2Command.CANCEL,
]);

export class Dispatcher {
  constructor(
    private readonly conn: ConnectionState,
    private readonly table: readonly (SmbCommand | undefined)[],
  ) {}

  /** `encrypted`: the frame arrived in a TRANSFORM header (so its answer will be encrypted too). */
  async handleFrame(frame: Buffer, encrypted = false): Promise<DispatchResult> {
    const out: ResponseMember[] = [];
    const chain: ChainState = { sessionId: 0n, treeId: 0 };
    let at = 0;
    try {
      for (let first = true; at < frame.length; first = false) {
        let header: Smb2Header;
        try {
          header = decodeHeader(frame, at);
        } catch (err) {
          if (err instanceof HeaderError) return { disconnect: `${err.message} at offset ${at}` };
          throw err;
        }
        const next = header.nextCommand;
        const malformed =
          next !== 0 && (next % 8 !== 0 || next < SMB2_HEADER_SIZE || at + next >= frame.length);
        const end = next === 0 || malformed ? frame.length : at + next;
        const last = end === frame.length;
        const r = await this.member(frame.subarray(at, end), header, chain, {
          first,
          last,
          malformed,
          encrypted,
        });
        if (r) out.push(r);
        if (end === frame.length) break;
        at = end;
      }
    } catch (err) {
      if (err instanceof DisconnectError) return { disconnect: err.message };
      throw err;
    }
    return out.length ? { frame: encodeResponses(out) } : { none: true };
  }

  private async member(
    message: Buffer,
    h: Smb2Header,
    chain: ChainState,
    where: { first: boolean; last: boolean; malformed: boolean; encrypted: boolean },
  ): Promise<ResponseMember | undefined> {
    const { first, last, malformed, encrypted } = where;
    const conn = this.conn;
    if (h.command === Smb2Command.CANCEL) {
      await this.run(this.table[h.command]!, message, h, chain, false);
      return undefined;
    }
    if (!conn.negotiated && h.command !== Smb2Command.NEGOTIATE)
      throw new DisconnectError(`command 0x${h.command.toString(16)} before NEGOTIATE`);
    // §3.3.5.4: a NEGOTIATE on a negotiated connection ends it, whatever its body.
    if (conn.negotiated && h.command === Smb2Command.NEGOTIATE)
      throw new DisconnectError('second NEGOTIATE on a negotiated connection');
    const charge = conn.supportsMultiCredit ? Math.max(1, h.creditCharge) : 1;
    if (!conn.credits.consume(h.messageId, charge))
      throw new DisconnectError(`MessageId ${h.messageId} (charge ${charge}) is outside the credit window`);
    const related = (h.flags & Smb2Flags.RELATED_OPERATIONS) !== 0;
    if (!related) {
      chain.sessionId = h.sessionId;
      chain.treeId = h.treeId;
      chain.fileId = undefined;
      chain.createError = undefined;
    }
    const session = chain.sessionId !== 0n ? conn.sessions.get(chain.sessionId) : undefined;
    const reply = (status: number, resp?: SmbResponse): ResponseMember =>
      this.reply(h, chain, related, session, status, resp, encrypted);
    const fail = (err: unknown): ResponseMember => {
      const status = toNtStatus(err);
      // §3.3.5.2.7.2 (as Samba): the related requests after a failed CREATE fail the same way.
      if (h.command === Smb2Command.CREATE) chain.createError = status;
      this.logFailure(h, status, err);
      return reply(
        status,
        err instanceof SmbError && err.errorData ? { body: errorBody(err.errorData) } : undefined,
      );
    };
    if (malformed) return fail(new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'bad NextCommand'));
    if (related && first)
      return fail(new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'first member is related'));
    // A related request inherits a session that must exist; the first member being related, or
    // an unrelated one naming an unknown session, leaves none (Samba: INVALID_PARAMETER).
    if (related && !session && h.command !== Smb2Command.SESSION_SETUP)
      return fail(
        new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'related request without a session to inherit'),
      );
    const signErr = encrypted ? undefined : checkSignature(conn, message, h, session);
    if (signErr) return fail(signErr);
    if (!encrypted && session?.rejectUnencrypted && session.valid && !UNENCRYPTED_OK.has(h.command))
      return fail(
        new SmbError(
          NtStatus.STATUS_ACCESS_DENIED,
          'unencrypted request on a session that requires encryption',
        ),
      );
    const cmd = this.table[h.command];
    if (!cmd) return fail(unknownCommand(h.command));
    const pre = checkRequest(conn, cmd, message, h, session, chain, related);
    if (pre) return fail(pre);
    try {
      const resp = await this.run(cmd, message, h, chain, related, session);
      if (h.command === Smb2Command.CREATE) chain.createError = undefined;
      const parked = resp?.status === NtStatus.STATUS_PENDING && resp.asyncId !== undefined;
      if (parked && !last && h.command !== Smb2Command.CREATE) {
        this.withdraw(resp.asyncId!);
        return fail(new SmbError(NtStatus.STATUS_INTERNAL_ERROR, 'went async inside a compound'));
      }
      return resp ? reply(resp.status ?? NtStatus.STATUS_SUCCESS, resp) : undefined;
    } catch (err) {
      if (err instanceof DisconnectError) throw err;
      return fail(err);
    }
  }

  /**
   * MS-SMB2 §3.3.5.2.7 (Windows behaviour, <note>): only the last request of a compound may go
   * async; one that parked earlier in the chain is withdrawn without a word (its interim and
   * final responses never go out) and answered STATUS_INTERNAL_ERROR in the chain.
   */
  private withdraw(asyncId: bigint): void {
    const conn = this.conn;
    const sender = conn.sender;
    conn.sender = undefined;
    try {
      if (!conn.server.notify.cancel(conn, { asyncId })) conn.server.lockWaits.cancel(conn, { asyncId });
    } finally {
      conn.sender = sender;
    }
  }

  private async run(
    cmd: SmbCommand,
    message: Buffer,
    h: Smb2Header,
    chain: ChainState,
    related: boolean,
    session?: SmbSession,
  ): Promise<SmbResponse | null> {
    const tree = session?.trees.get(chain.treeId);
    const ctx: CommandContext = {
      server: this.conn.server,
      conn: this.conn,
      header: h,
      message,
      body: message.subarray(SMB2_HEADER_SIZE),
      related,
      chain,
      log: this.conn.log,
      ...(session ? { session } : {}),
      ...(tree ? { tree } : {}),
    };
    return cmd.run(ctx);
  }

  private reply(
    h: Smb2Header,
    chain: ChainState,
    related: boolean,
    session: SmbSession | undefined,
    status: number,
    resp: SmbResponse | undefined,
    encrypted = false,
  ): ResponseMember {
    const requestSigned = (h.flags & Smb2Flags.SIGNED) !== 0;
    const signer = encrypted
      ? undefined
      : (resp?.signWith ??
        (session?.canSign && (requestSigned || session.signingRequired) && status !== NtStatus.STATUS_PENDING
          ? session
          : undefined));
    const body = resp?.body ?? errorBody();
    return {
      header: {
        creditCharge: h.creditCharge,
        status,
        command: h.command,
        credits: this.conn.credits.grant(Math.max(1, h.credits)),
        flags: related ? Smb2Flags.RELATED_OPERATIONS : 0,
        nextCommand: 0,
        messageId: h.messageId,
        processId: h.processId,
        treeId: resp?.treeId ?? chain.treeId,
        sessionId: resp?.sessionId ?? chain.sessionId,
        ...(resp?.asyncId !== undefined ? { asyncId: resp.asyncId } : {}),
      },
      body,
      ...(signer ? { signer } : {}),
      ...(resp?.onEncoded ? { onEncoded: resp.onEncoded } : {}),
    };
  }

  private logFailure(h: Smb2Header, status: number, err: unknown): void {
    const log = this.conn.log;
    const meta = {
      mid: h.messageId.toString(),
      command: this.table[h.command]?.name ?? `0x${h.command.toString(16)}`,
      status: ntStatusName(status),
      cause: err instanceof Error ? err.message : String(err),
    };
    if (isExpectedStatus(status)) {
      if (log.isDebugEnabled()) log.debug('SMB2 request failed', meta);
    } else log.warn('SMB2 request failed', { ...meta, stack: err instanceof Error ? err.stack : undefined });
  }
}

/** MS-SMB2 §2.2.2 ERROR response: StructureSize 9, ErrorContextCount, ByteCount, ErrorData. */
export function errorBody(data?: Buffer): Buffer {
  const d = data ?? Buffer.alloc(0);
  const b = Buffer.alloc(8 + Math.max(1, d.length));
  b.writeUInt16LE(9, 0);
  b.writeUInt32LE(d.length, 4);
  d.copy(b, 8);
  return b;
}
