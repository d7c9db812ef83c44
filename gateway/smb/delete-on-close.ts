/**
 * Delete-on-close rules checked at CREATE (MS-FSA §2.1.5.1.1 new file, §2.1.5.1.2.1 existing
 * one; MS-SMB2 §3.3.5.9): FILE_DELETE_ON_CLOSE needs DELETE access (checked in create.ts), and
 * a read-only file can never be delete-on-close: asking to create one is STATUS_CANNOT_DELETE
 * before anything is made, and opening an existing read-only file that way likewise.
 * SET_INFO FileDispositionInformation has the same read-only rule (set-info-ops.ts).
 */
import { type Attrs, FileType, type Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
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

/** A file this CREATE has just made (OPEN_IF, OVERWRITE_IF, SUPERSEDE of a missing name). */
export interface JustMade {
  readonly backend: Backend;
  readonly dir: Ino;
  readonly name: string;
  readonly cred: Cred;
}

/**
 * Once the object is known: delete-on-close of a read-only file. When this CREATE made the file
 * (a READONLY FileAttributes with a disposition that may create), it is removed again, so the
 * refusal leaves nothing behind, as on Windows where the check comes before the file exists.
 */
export async function refuseDeleteOnCloseOpen(options: number, attrs: Attrs, made?: JustMade): Promise<void> {
  if (!(options & FILE_DELETE_ON_CLOSE) || attrs.type === FileType.DIR || (attrs.mode & 0o222) !== 0) return;
  if (made) await made.backend.remove(made.dir, made.name, made.cred).catch(() => undefined);
  throw new SmbError(NtStatus.STATUS_CANNOT_DELETE, 'delete-on-close of a read-only file');
}
