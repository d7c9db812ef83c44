/**
 * FSCTL_PIPE_TRANSCEIVE (MS-FSCC §2.3.49, MS-SMB2 §3.3.5.15.1): write the input to the named
 * pipe and read one message back. A message longer than MaxOutputResponse comes back cut with
 * STATUS_BUFFER_OVERFLOW (still a full IOCTL response, §3.3.4.4); the client READs the rest.
 * Only on a pipe open (a file: STATUS_INVALID_DEVICE_REQUEST); a pipe that broke:
 * STATUS_PIPE_BROKEN.
 */
import { pipeOf } from '../../ipc/pipe';
import { NtStatus, SmbError } from '../../ntstatus';
import { type FsctlHandler, openOf } from './fsctl';

export const pipeTransceive: FsctlHandler = {
  pipe: true,
  run(req) {
    const pipe = pipeOf(openOf(req));
    if (!pipe) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'PIPE_TRANSCEIVE on a file');
    if (!pipe.write(req.input)) throw new SmbError(NtStatus.STATUS_PIPE_BROKEN, pipe.name);
    const m = pipe.read(req.maxOutput);
    if (!m) return { output: Buffer.alloc(0) };
    return m.more ? { output: m.data, status: NtStatus.STATUS_BUFFER_OVERFLOW } : { output: m.data };
  },
};
