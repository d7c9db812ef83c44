/**
 * READ and WRITE on a named pipe open (MS-SMB2 §3.3.5.12/§3.3.5.13 "if the open is a named
 * pipe"): WRITE feeds the pipe and reports every byte taken; READ returns the next message,
 * cut to Length with STATUS_BUFFER_OVERFLOW when it is longer (message mode). A READ with
 * nothing queued is STATUS_PIPE_EMPTY: the RPC endpoint answers every complete request at
 * once, so a client reading before writing has nothing coming.
 */

import { responseBody, type SmbResponse } from '../commands/command';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { pipeOf } from './pipe';

const READ_DATA_OFFSET = 80;

export function pipeWrite(open: Open, data: Buffer): SmbResponse {
  const pipe = pipeOf(open);
  if (!pipe) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'WRITE on IPC$ without a pipe');
  if (!pipe.write(data)) throw new SmbError(NtStatus.STATUS_PIPE_BROKEN, pipe.name);
  const out = responseBody(17, 16);
  out.writeUInt32LE(data.length, 4);
  return { body: out };
}

export function pipeRead(open: Open, length: number): SmbResponse {
  const pipe = pipeOf(open);
  if (!pipe) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'READ on IPC$ without a pipe');
  const m = pipe.read(length);
  if (!m) throw new SmbError(NtStatus.STATUS_PIPE_EMPTY, pipe.name);
  const out = responseBody(17, 16 + m.data.length);
  out[2] = READ_DATA_OFFSET;
  out.writeUInt32LE(m.data.length, 4);
  m.data.copy(out, 16);
  return m.more ? { body: out, status: NtStatus.STATUS_BUFFER_OVERFLOW } : { body: out };
}
