/**
 * SMB2 READ (MS-SMB2 §2.2.19 request, §2.2.20 response, §3.3.5.12 processing).
 *
 * Request: StructureSize 49, Padding, Flags, Length, Offset, FileId, MinimumCount, Channel
 * (must be NONE: no RDMA), RemainingBytes, ReadChannelInfo. Response: StructureSize 17,
 * DataOffset (80), DataLength, DataRemaining, the data.
 *
 * Length is bounded by MaxReadSize before anything is allocated; the backend serves at most
 * its own I/O size per call, so a large READ is several backend reads, in flight together and
 * each reading straight into the response body. Nothing read at or past
 * end of file, or less than MinimumCount: STATUS_END_OF_FILE. A directory:
 * STATUS_INVALID_DEVICE_REQUEST. Needs FILE_READ_DATA (or FILE_EXECUTE) on the open. A range
 * another open holds an exclusive byte-range lock on: STATUS_FILE_LOCK_CONFLICT.
 */
import type { Ino } from '../../backend/attrs';
import type { Backend, Cred } from '../../backend/backend';
import { pipeRead } from '../ipc/pipe-io';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { responseBodyWithRoom } from '../response-frame';
import {
  type CommandContext,
  openAt,
  requireAccess,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';

const DATA_OFFSET = 80;
/** Bytes per backend read: the POSIX backend's own I/O size (its maxIoBytes default). */
const READ_PIECE = 1 << 20;

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
    const out = responseBodyWithRoom(17, 16 + length);
    const dest = out.subarray(16, 16 + length);
    const got = await readInto(disk.backend, open.ino, Number(offset), dest, sessionOf(ctx).cred);
    if ((got === 0 && length > 0) || got < minimum)
      throw new SmbError(NtStatus.STATUS_END_OF_FILE, `read ${got} of ${length} at ${offset}`);
    open.position = offset + BigInt(got);
    out.fill(0, 2, 16);
    out[2] = DATA_OFFSET;
    out.writeUInt32LE(got, 4);
    return { body: out.subarray(0, 16 + got) };
  },
};

/**
 * Reads up to `dest.length` bytes at `pos` straight into `dest` (the response body: no copy),
 * in pieces of the backend's I/O size all in flight at once, so a large READ keeps several
 * thread-pool workers busy instead of one. Returns the bytes read before the first short piece
 * (end of file).
 */
async function readInto(backend: Backend, ino: Ino, pos: number, dest: Buffer, cred: Cred): Promise<number> {
  const pieces: Promise<number>[] = [];
  for (let at = 0; at < dest.length; at += READ_PIECE) {
    const part = dest.subarray(at, Math.min(at + READ_PIECE, dest.length));
    pieces.push(
      backend.read(ino, pos + at, part.length, cred, undefined, part).then((r) => {
        // A backend that ignored `into` handed back its own buffer.
        if (r.data.buffer !== part.buffer || r.data.byteOffset !== part.byteOffset) r.data.copy(part);
        return r.data.length;
      }),
    );
  }
  let got = 0;
  for (const n of await Promise.all(pieces)) {
    got += n;
    if (n < READ_PIECE) break;
  }
  return got;
}
