/**
 * SMB2 WRITE (MS-SMB2 §2.2.21 request, §2.2.22 response, §3.3.5.13 processing).
 *
 * Request: StructureSize 49, DataOffset, Length, Offset, FileId, Channel (NONE), RemainingBytes,
 * WriteChannelInfo, Flags (WRITE_THROUGH 0x1). Response: StructureSize 17, Count, Remaining.
 *
 * The data is written straight from the request buffer (no copy). Length beyond MaxWriteSize,
 * or data outside the message: STATUS_INVALID_PARAMETER. Needs FILE_WRITE_DATA or
 * FILE_APPEND_DATA; WRITE_THROUGH asks for stable storage before the answer. A range another
 * open holds any byte-range lock on: STATUS_FILE_LOCK_CONFLICT.
 */
import { pipeWrite } from '../ipc/pipe-io';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { bufferAt } from '../wire';
import {
  type CommandContext,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';

const SMB2_WRITEFLAG_WRITE_THROUGH = 0x00000001;

export const write: SmbCommand = {
  name: 'WRITE',
  structureSize: 49,
  needs: 'tree',
  payloadSize: (b) => b.readUInt32LE(4),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body } = ctx;
    const length = body.readUInt32LE(4);
    const offset = body.readBigUInt64LE(8);
    if (length > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `WRITE of ${length} bytes exceeds MaxWriteSize`);
    if (body.readUInt32LE(32) !== 0) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'WRITE over RDMA');
    if (offset + BigInt(length) > BigInt(Number.MAX_SAFE_INTEGER))
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `offset ${offset}`);
    const data = bufferAt(ctx.message, body.readUInt16LE(2), length, 'write data');
    const open = openAt(ctx, 16);
    const disk = open.tree.disk;
    if (!disk) return pipeWrite(open, data);
    if (open.isDir) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'WRITE to a directory');
    requireAccess(open, Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA, 'WRITE');
    if (ctx.server.locks.blocksIo(open, offset, BigInt(length), true))
      throw new SmbError(NtStatus.STATUS_FILE_LOCK_CONFLICT, `WRITE of ${offset}+${length}: locked`);
    ctx.server.caching.breakForWrite(open); // others' LEVEL_II / R caching goes (leases/)
    const stable = body.readUInt32LE(44) & SMB2_WRITEFLAG_WRITE_THROUGH ? 'file-sync' : 'unstable';
    const r = await disk.backend.write(open.ino, Number(offset), data, stable, sessionOf(ctx).cred);
    open.position = offset + BigInt(r.count);
    const out = responseBody(17, 16);
    out.writeUInt32LE(r.count, 4);
    return { body: out };
  },
};
