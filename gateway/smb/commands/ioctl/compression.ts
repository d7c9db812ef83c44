/**
 * FSCTL_GET_COMPRESSION / FSCTL_SET_COMPRESSION (MS-FSCC §2.3.12/§2.3.67; MS-FSA §2.1.5.9.10):
 * the file system does not compress, so GET says COMPRESSION_FORMAT_NONE (USHORT 0), SET of
 * NONE succeeds, SET of DEFAULT or LZNT1 is STATUS_NOT_SUPPORTED, anything else or no USHORT
 * is STATUS_INVALID_PARAMETER. FileFsAttributeInformation leaves FILE_FILE_COMPRESSION clear,
 * which is what makes smbtorture's compress_notsup_* tests apply.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import type { FsctlHandler } from './fsctl';

const COMPRESSION_FORMAT_NONE = 0;
const COMPRESSION_FORMAT_LZNT1 = 2;

export const getCompression: FsctlHandler = {
  run(req) {
    if (req.maxOutput < 2) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'no room for a USHORT');
    const out = Buffer.alloc(2);
    out.writeUInt16LE(COMPRESSION_FORMAT_NONE, 0);
    return { output: out };
  },
};

export const setCompression: FsctlHandler = {
  run(req) {
    if (req.input.length < 2)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'CompressionState missing');
    const format = req.input.readUInt16LE(0);
    if (format === COMPRESSION_FORMAT_NONE) return {};
    if (format <= COMPRESSION_FORMAT_LZNT1)
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, 'no compression on this file system');
    throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `compression format ${format}`);
  },
};
