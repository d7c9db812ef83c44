/**
 * FSCTL_QUERY_ALLOCATED_RANGES (MS-FSCC §2.3.41/§2.3.42, MS-FSA §2.1.5.9.24). In:
 * FILE_ALLOCATED_RANGE_BUFFER {FileOffset i64, Length i64}; out: an array of them.
 *
 * Node cannot ask the kernel for holes (no SEEK_DATA), so: a file not marked sparse is
 * allocated over its whole size (what NTFS reports too); in a sparse file, 4 KiB blocks that
 * read as all zeros count as holes — true for every hole FSCTL_SET_ZERO_DATA made, and a
 * permitted answer for zeros written on purpose. Scans are bounded (MAX_SCAN); past it, data.
 * Errors: input short, negative, or wrapping past 2^63: STATUS_INVALID_PARAMETER; needs
 * FILE_READ_DATA; no room for one range while there is one: STATUS_BUFFER_TOO_SMALL; room for
 * fewer than all: STATUS_BUFFER_OVERFLOW with those that fit.
 */

import { NtStatus, SmbError } from '../../ntstatus';
import type { Open } from '../../open-table';
import { Access } from '../../open-table';
import { isSparse } from '../../sparse-marks';
import { requireAccess } from '../command';
import { type FsctlHandler, openOf } from './fsctl';

const BLOCK = 4096;
const MAX_SCAN = 64 * 1024 * 1024;
const RANGE_SIZE = 16;
const MAX_OFFSET = 0x7fffffffffffffffn;

interface Range {
  offset: number;
  length: number;
}

/** Data ranges of [from, to) in a sparse file, by reading it. */
async function scanData(open: Open, from: number, to: number): Promise<Range[]> {
  const backend = open.tree.disk!.backend;
  const ranges: Range[] = [];
  const start = from - (from % BLOCK);
  const limit = Math.min(to, start + MAX_SCAN);
  for (let at = start; at < limit; ) {
    const r = await backend.read(open.ino, at, Math.min(1024 * 1024, limit - at), open.session.cred);
    if (r.data.length === 0) break;
    for (let b = 0; b < r.data.length; b += BLOCK) {
      const block = r.data.subarray(b, b + BLOCK);
      if (block.every((x) => x === 0)) continue;
      const lo = Math.max(from, at + b);
      const hi = Math.min(to, at + b + block.length);
      const last = ranges.at(-1);
      if (last && last.offset + last.length === lo) last.length = hi - last.offset;
      else if (hi > lo) ranges.push({ offset: lo, length: hi - lo });
    }
    at += r.data.length;
  }
  if (limit < to) ranges.push({ offset: limit, length: to - limit });
  return ranges;
}

export const queryAllocatedRanges: FsctlHandler = {
  async run(req) {
    const open = openOf(req);
    if (req.input.length < RANGE_SIZE)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FILE_ALLOCATED_RANGE_BUFFER missing');
    const offset = req.input.readBigInt64LE(0);
    const length = req.input.readBigInt64LE(8);
    if (offset < 0n || length < 0n || offset + length > MAX_OFFSET)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `range ${offset}+${length}`);
    requireAccess(open, Access.FILE_READ_DATA, 'FSCTL_QUERY_ALLOCATED_RANGES');
    const attrs = await open.tree.disk!.backend.getattr(open.ino);
    const size = BigInt(attrs.size);
    const end = offset + length < size ? offset + length : size;
    let ranges: Range[] = [];
    if (!open.isDir && length > 0n && offset < end) {
      ranges = isSparse(attrs)
        ? await scanData(open, Number(offset), Number(end))
        : [{ offset: Number(offset), length: Number(end - offset) }];
    }
    const fit = Math.floor(req.maxOutput / RANGE_SIZE);
    if (ranges.length > 0 && fit === 0)
      throw new SmbError(NtStatus.STATUS_BUFFER_TOO_SMALL, 'no room for one range');
    const sent = ranges.slice(0, fit);
    const out = Buffer.alloc(sent.length * RANGE_SIZE);
    sent.forEach((r, i) => {
      out.writeBigInt64LE(BigInt(r.offset), i * RANGE_SIZE);
      out.writeBigInt64LE(BigInt(r.length), i * RANGE_SIZE + 8);
    });
    return sent.length < ranges.length
      ? { output: out, status: NtStatus.STATUS_BUFFER_OVERFLOW }
      : { output: out };
  },
};
