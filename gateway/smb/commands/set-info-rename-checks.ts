/**
 * Who may rename what while other handles are open (MS-FSA §2.1.5.14.11 as Windows and Samba
 * behave; smbtorture smb2.rename):
 * - a directory with anything open below it: STATUS_ACCESS_DENIED (the open paths would go stale);
 * - an open of the source's parent directory holding DELETE access: STATUS_SHARING_VIOLATION
 *   (as Windows and Samba answer; Windows also refuses when that open does not share delete, but
 *   Samba does not, and smbtorture's msword pattern needs Samba's way);
 * - a destination that ReplaceIfExists may replace is refused while it is open
 *   (STATUS_ACCESS_DENIED), and a directory is never replaced (STATUS_ACCESS_DENIED).
 */
import type { Ino } from '../../backend/attrs';
import { NtStatus, SmbError } from '../ntstatus';
import { Access, type Open } from '../open-table';
import type { ServerContext } from '../server-context';

/** Any open on the same share whose path lies under `dir` (case-insensitively, as SMB names go). */
export function hasOpenBelow(server: ServerContext, dir: Open): boolean {
  if (!dir.isDir) return false;
  const prefix = dir.path === '' ? '' : `${dir.path.toLowerCase()}\\`;
  return server.opens
    .opensWhere((o) => o !== dir && o.tree.share === dir.tree.share && o.path !== dir.path)
    .some((o) => o.path.toLowerCase().startsWith(prefix));
}

export function refuseRenameWhileOpen(server: ServerContext, open: Open, parent: Ino): void {
  if (hasOpenBelow(server, open))
    throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, `${open.path} has open files below it`);
  for (const o of server.opens.opensOf(parent))
    if (o.access & Access.DELETE)
      throw new SmbError(
        NtStatus.STATUS_SHARING_VIOLATION,
        `the parent of ${open.path} is open with DELETE access`,
      );
}
