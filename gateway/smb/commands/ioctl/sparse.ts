/**
 * FSCTL_SET_SPARSE (MS-FSCC §2.3.64, MS-FSA §2.1.5.9.34): In, optional FILE_SET_SPARSE_BUFFER
 * (one byte, SetSparse; a missing buffer means TRUE; a longer one is accepted, as Windows does).
 * Needs FILE_WRITE_DATA, FILE_APPEND_DATA or FILE_WRITE_ATTRIBUTES; a directory:
 * STATUS_INVALID_PARAMETER. The mark is kept in sparse-marks.ts.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { Access } from '../../open-table';
import { setSparse as mark } from '../../sparse-marks';
import { requireAccess } from '../command';
import { type FsctlHandler, openOf } from './fsctl';

export const setSparse: FsctlHandler = {
  async run(req) {
    const open = openOf(req);
    if (open.isDir) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FSCTL_SET_SPARSE on a directory');
    requireAccess(
      open,
      Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA | Access.FILE_WRITE_ATTRIBUTES,
      'FSCTL_SET_SPARSE',
    );
    const attrs = await open.tree.disk!.backend.getattr(open.ino);
    mark(attrs, req.input.length === 0 || req.input[0] !== 0);
    return {};
  },
};
