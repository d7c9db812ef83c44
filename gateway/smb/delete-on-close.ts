/**
 * Delete-on-close rules checked at CREATE (MS-FSA §2.1.5.1.1 new file, §2.1.5.1.2.1 existing
 * one; MS-SMB2 §3.3.5.9): FILE_DELETE_ON_CLOSE needs DELETE access (checked in create.ts), and
 * a read-only file can never be delete-on-close: asking to create one is STATUS_CANNOT_DELETE
 * before anything is made, and opening an existing read-only file that way likewise.
 * SET_INFO FileDispositionInformation has the same read-only rule (set-info-ops.ts).
 */
import { type Attrs, FileType } from '../backend/attrs';
import { FileAttr } from './file-attrs';
import { NtStatus, SmbError } from './ntstatus';

const FILE_DELETE_ON_CLOSE = 0x00001000;
const FILE_CREATE = 2;

/** Before the object is looked up or made: CREATE of a READONLY file with delete-on-close. */
export function refuseDeleteOnCloseCreate(
  options: number,
  fileAttributes: number,
  disposition: number,
): void {
  if (options & FILE_DELETE_ON_CLOSE && fileAttributes & FileAttr.READONLY && disposition === FILE_CREATE)
    throw new SmbError(NtStatus.STATUS_CANNOT_DELETE, 'delete-on-close of a new read-only file');
}

/** Once the object is known: delete-on-close of a read-only file. */
export function refuseDeleteOnCloseOpen(options: number, attrs: Attrs): void {
  if (options & FILE_DELETE_ON_CLOSE && attrs.type !== FileType.DIR && (attrs.mode & 0o222) === 0)
    throw new SmbError(NtStatus.STATUS_CANNOT_DELETE, 'delete-on-close of a read-only file');
}
