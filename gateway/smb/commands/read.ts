/**
 * SMB2 READ (MS-SMB2 §2.2.19 request, §2.2.20 response, §3.3.5.12 processing).
 *
 * Request: StructureSize 49, Padding, Flags, Length, Offset, FileId, MinimumCount, Channel
 * (must be NONE: no RDMA), RemainingBytes, ReadChannelInfo. Response: StructureSize 17,
 * DataOffset (80), DataLength, DataRemaining, the data.
 *
 * Length is bounded by MaxReadSize before anything is allocated; the backend serves at most
 * its own I/O size per call, so a large READ is several backend reads. Nothing read at or past
 * end of file, or less than MinimumCount: STATUS_END_OF_FILE. A directory:
 * STATUS_INVALID_DEVICE_REQUEST. Needs FILE_READ_DATA (or FILE_EXECUTE) on the open. A range
 * another open holds an exclusive byte-range lock on: STATUS_FILE_LOCK_CONFLICT.
 */
import { pipeRead } from '../ipc/pipe-io';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import {
  type CommandContext,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';

const DATA_OFFSET = 80;

export const read: SmbCommand = {
  name: 'READ',
  structureSize: 49,
  needs: 'tree',
  payloadSize: (b) => b.readUInt32LE(4),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body } = ctx;
    const length = body.readUInt32LE(4);
    const offset = body.readBigUInt64LE(8);
    const minimum = body.readUInt32LE(32);
    if (length > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `READ of ${length} bytes exceeds MaxReadSize`);
    if (body.readUInt32LE(36) !== 0) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'READ over RDMA');
    if (offset > BigInt(Number.MAX_SAFE_INTEGER))
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `offset ${offset}`);
    const open = openAt(ctx, 16);
    const disk = open.tree.disk;
    if (!disk) return pipeRead(open, length);
    if (open.isDir) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'READ of a directory');
    requireAccess(open, Access.FILE_READ_DATA | Access.FILE_EXECUTE, 'READ');
    if (ctx.server.locks.blocksIo(open, offset, BigInt(length), false))
      throw new SmbError(NtStatus.STATUS_FILE_LOCK_CONFLICT, `READ of ${offset}+${length}: locked`);
    const cred = sessionOf(ctx).cred;
    const parts: Buffer[] = [];
    let got = 0;
    let pos = Number(offset);
    while (got < length) {
      const r = await disk.backend.read(open.ino, pos, length - got, cred);
      if (r.data.length === 0) break;
      parts.push(r.data);
      got += r.data.length;
      pos += r.data.length;
      if (r.eof) break;
    }
    if ((got === 0 && length > 0) || got < minimum)
      throw new SmbError(NtStatus.STATUS_END_OF_FILE, `read ${got} of ${length} at ${offset}`);
    open.position = offset + BigInt(got);
    const out = responseBody(17, 16 + got);
    out[2] = DATA_OFFSET;
    out.writeUInt32LE(got, 4);
    let at = 16;
    for (const p of parts) at += p.copy(out, at);
    return { body: out };
  },
};
