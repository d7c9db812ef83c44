/**
 * FSCTL_DFS_GET_REFERRALS(_EX) (MS-SMB2 §3.3.5.15.2): there is no DFS namespace here, so
 * STATUS_NOT_FOUND, as Samba answers; smbclient asks on IPC$ and carries on.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import type { FsctlHandler } from './fsctl';

export const dfsReferral: FsctlHandler = {
  noOpen: true,
  pipe: true,
  run() {
    throw new SmbError(NtStatus.STATUS_NOT_FOUND, 'no DFS namespace here');
  },
};
