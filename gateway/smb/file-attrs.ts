/**
 * What SMB says about a POSIX object: FileAttributes (MS-FSCC §2.6), the four FILETIMEs, end of
 * file and allocation size, and the access a Cred may be granted on it (MS-SMB2 §2.2.13.1),
 * worked out from mode bits the way Samba does without an ACL store.
 */
import { rwxFor } from '../backend/access-bits';
import { type Attrs, FileType } from '../backend/attrs';
import type { Cred } from '../backend/backend';
import { Access } from './open-table';
import { FILE_ATTRIBUTE_SPARSE_FILE, isSparse } from './sparse-marks';
import { fileTime } from './wire';

/** MS-FSCC §2.6 File Attributes used here. */
export const FileAttr = {
  READONLY: 0x00000001,
  HIDDEN: 0x00000002,
  SYSTEM: 0x00000004,
  DIRECTORY: 0x00000010,
  ARCHIVE: 0x00000020,
  NORMAL: 0x00000080,
  REPARSE_POINT: 0x00000400,
} as const;

/**
 * Directories are DIRECTORY; files are ARCHIVE (as Samba shows them); an object nobody may
 * write is READONLY; a symlink is marked REPARSE_POINT (it cannot be opened through SMB yet).
 */
export function fileAttributes(a: Attrs): number {
  let v = a.type === FileType.DIR ? FileAttr.DIRECTORY : FileAttr.ARCHIVE;
  if (a.type !== FileType.DIR && (a.mode & 0o222) === 0) v |= FileAttr.READONLY;
  if (a.type === FileType.LNK) v |= FileAttr.REPARSE_POINT;
  if (a.type === FileType.REG && isSparse(a)) v |= FILE_ATTRIBUTE_SPARSE_FILE;
  return v;
}

export function endOfFile(a: Attrs): bigint {
  return a.type === FileType.DIR ? 0n : BigInt(a.size);
}

export function allocationSize(a: Attrs): bigint {
  return a.type === FileType.DIR ? 0n : BigInt(a.used);
}

/** CreationTime, LastAccessTime, LastWriteTime, ChangeTime written at `at` (32 bytes). */
export function writeTimes(buf: Buffer, at: number, a: Attrs): void {
  buf.writeBigUInt64LE(fileTime(a.birthtime), at);
  buf.writeBigUInt64LE(fileTime(a.atime), at + 8);
  buf.writeBigUInt64LE(fileTime(a.mtime), at + 16);
  buf.writeBigUInt64LE(fileTime(a.ctime), at + 24);
}

/** MS-SMB2 §2.2.13.1: GENERIC_* bits mapped to the specific file rights (Windows' file mapping). */
export function mapGenericAccess(mask: number): number {
  let m = mask & ~(Access.GENERIC_ALL | Access.GENERIC_EXECUTE | Access.GENERIC_WRITE | Access.GENERIC_READ);
  if (mask & Access.GENERIC_READ) m |= 0x00120089;
  if (mask & Access.GENERIC_WRITE) m |= 0x00120116;
  if (mask & Access.GENERIC_EXECUTE) m |= 0x001200a0;
  if (mask & Access.GENERIC_ALL) m |= 0x001f01ff;
  return m >>> 0;
}

/**
 * The most `cred` may be granted on `a` (whose parent is `parent`, absent for the share root):
 * attributes, read-control and synchronize always; data rights from r/w/x; attribute and
 * security writes for the owner (or a writer, for times); DELETE when the parent lets the
 * caller remove entries (w and x on it, as unlink needs). The backend checks again on use.
 */
export function maximalAccess(a: Attrs, parent: Attrs | undefined, cred: Cred, readOnly: boolean): number {
  const { r, w, x } = rwxFor(a, cred);
  const owner = cred.uid === 0 || cred.uid === a.uid;
  let m: number =
    Access.FILE_READ_ATTRIBUTES | Access.READ_CONTROL | Access.SYNCHRONIZE | Access.FILE_READ_EA;
  const dir = a.type === FileType.DIR;
  if (r) m |= Access.FILE_READ_DATA;
  // On a file, FILE_EXECUTE only lets data be read (for paging): whoever may read may execute,
  // so FILE_ALL_ACCESS / GENERIC_ALL opens of a plain rw- file succeed as they do on Windows.
  if (x || (r && !dir)) m |= Access.FILE_EXECUTE;
  if (w)
    m |=
      Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA | Access.FILE_WRITE_EA | Access.FILE_WRITE_ATTRIBUTES;
  // FILE_DELETE_CHILD means something only on a directory (w and x there, as unlink needs).
  if (w && (x || !dir)) m |= Access.FILE_DELETE_CHILD;
  if (owner) m |= Access.FILE_WRITE_ATTRIBUTES | Access.WRITE_DAC | Access.WRITE_OWNER | Access.FILE_WRITE_EA;
  if (parent) {
    const p = rwxFor(parent, cred);
    if (p.w && p.x) m |= Access.DELETE;
  }
  if (readOnly) m &= 0x001200a9 | Access.FILE_READ_EA;
  return m >>> 0;
}
