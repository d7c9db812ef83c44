/**
 * FSCTL_GET_REPARSE_POINT (MS-FSCC §2.3.29): nothing SMB can open is a reparse point (symlinks
 * are refused at CREATE), so STATUS_NOT_A_REPARSE_POINT, as Windows answers for a plain file.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import type { FsctlHandler } from './fsctl';

export const getReparsePoint: FsctlHandler = {
  run() {
    throw new SmbError(NtStatus.STATUS_NOT_A_REPARSE_POINT, 'not a reparse point');
  },
};
