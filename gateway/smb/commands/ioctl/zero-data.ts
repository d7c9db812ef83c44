/**
 * FSCTL_SET_ZERO_DATA (MS-FSCC §2.3.67, MS-FSA §2.1.5.9.38). In: FILE_ZERO_DATA_INFORMATION
 * {FileOffset i64, BeyondFinalZero i64}. Zeros [FileOffset, BeyondFinalZero) within the file
 * (never extends it). Node cannot punch holes (no fallocate), so zeros are written; in a file
 * marked sparse, FSCTL_QUERY_ALLOCATED_RANGES then reports the range as a hole.
 * Errors: input short, negative, or FileOffset past BeyondFinalZero: STATUS_INVALID_PARAMETER;
 * needs FILE_WRITE_DATA; a range another Open has locked: STATUS_FILE_LOCK_CONFLICT.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { Access } from '../../open-table';
import { requireAccess, sessionOf } from '../command';
import { type FsctlHandler, openOf } from './fsctl';

const PIECE = 1024 * 1024;

export const setZeroData: FsctlHandler = {
  async run(req) {
    const open = openOf(req);
    if (req.input.length < 16)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FILE_ZERO_DATA_INFORMATION missing');
    const from = req.input.readBigInt64LE(0);
    const beyond = req.input.readBigInt64LE(8);
    if (from < 0n || beyond < 0n || from > beyond)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `zero ${from}..${beyond}`);
    if (open.isDir)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FSCTL_SET_ZERO_DATA on a directory');
    requireAccess(open, Access.FILE_WRITE_DATA, 'FSCTL_SET_ZERO_DATA');
    const backend = open.tree.disk!.backend;
    const size = BigInt((await backend.getattr(open.ino)).size);
    const end = beyond < size ? beyond : size;
    if (end <= from) return {};
    if (req.ctx.server.locks.blocksIo(open, from, end - from, true))
      throw new SmbError(NtStatus.STATUS_FILE_LOCK_CONFLICT, `zero ${from}..${end}: locked`);
    const cred = sessionOf(req.ctx).cred;
    for (let at = Number(from); at < Number(end); at += PIECE) {
      const n = Math.min(PIECE, Number(end) - at);
      await backend.write(open.ino, at, Buffer.alloc(n), 'unstable', cred);
    }
    return {};
  },
};
