/**
 * SMB2 CHANGE_NOTIFY (MS-SMB2 §2.2.35 request, §2.2.36 response, §3.3.5.19 processing).
 *
 * Request: StructureSize 32, Flags (SMB2_WATCH_TREE), OutputBufferLength, FileId of a directory
 * open, CompletionFilter. Changes already collected for the open are answered at once; otherwise
 * the request goes async: an interim STATUS_PENDING response with a fresh AsyncId now (§3.3.4.2),
 * the final response under that AsyncId when a change arrives (see NotifyTable). Records that do
 * not fit OutputBufferLength, or an overflowed queue, answer STATUS_NOTIFY_ENUM_DIR.
 */
import { Smb2Command, Smb2Flags } from '../header';
import { notifyResponseBody } from '../notify-records';
import { InterimGate } from '../notify-table';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { type CommandContext, openAt, requireAccess, type SmbCommand, type SmbResponse } from './command';

export const changeNotify: SmbCommand = {
  name: 'CHANGE_NOTIFY',
  structureSize: 32,
  needs: 'tree',
  payloadSize: (body) => body.readUInt32LE(4),
  run(ctx: CommandContext): SmbResponse {
    const flags = ctx.body.readUInt16LE(2);
    const outputLength = ctx.body.readUInt32LE(4);
    const open = openAt(ctx, 8);
    const filter = ctx.body.readUInt32LE(24);
    if (!open.isDir) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'CHANGE_NOTIFY on a file');
    requireAccess(open, Access.FILE_READ_DATA, 'CHANGE_NOTIFY');
    if (outputLength > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `OutputBufferLength ${outputLength}`);
    const h = ctx.header;
    const session = open.session;
    const signs = session.canSign && ((h.flags & Smb2Flags.SIGNED) !== 0 || session.signingRequired);
    const asyncId = ctx.server.notify.newAsyncId();
    const interim = new InterimGate();
    const now = ctx.server.notify.request(open, filter, flags, outputLength, () => ({
      sink: ctx.conn,
      command: Smb2Command.CHANGE_NOTIFY,
      asyncId,
      messageId: h.messageId,
      sessionId: h.sessionId,
      creditCharge: h.creditCharge,
      outputLength,
      interim,
      ...(signs ? { signer: session } : {}),
    }));
    if (now === 'enum-dir') return { status: NtStatus.STATUS_NOTIFY_ENUM_DIR, body: notifyResponseBody() };
    if (now) return { body: notifyResponseBody(now) };
    return {
      status: NtStatus.STATUS_PENDING,
      body: notifyResponseBody(),
      asyncId,
      onEncoded: () => interim.encoded(),
    };
  },
};
