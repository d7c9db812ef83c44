/**
 * Directory entries as QUERY_DIRECTORY returns them (MS-FSCC §2.4, the classes clients use):
 *
 *   1 FileDirectoryInformation        fixed 64    2 FileFullDirectoryInformation    fixed 68
 *   3 FileBothDirectoryInformation    fixed 94   12 FileNamesInformation            fixed 12
 *  37 FileIdBothDirectoryInformation  fixed 104  38 FileIdFullDirectoryInformation  fixed 80
 *
 * All but 12 start NextEntryOffset, FileIndex, four FILETIMEs, EndOfFile, AllocationSize,
 * FileAttributes, FileNameLength; then EaSize, the 8.3 short name (empty: we have none) and the
 * 64-bit FileId as each class says, then the UTF-16 name. NextEntryOffset is written by the
 * caller when it chains entries (8-byte aligned).
 */
import type { Attrs } from '../backend/attrs';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from './file-attrs';

export const DirInfoClass = {
  FileDirectoryInformation: 1,
  FileFullDirectoryInformation: 2,
  FileBothDirectoryInformation: 3,
  FileNamesInformation: 12,
  FileIdBothDirectoryInformation: 37,
  FileIdFullDirectoryInformation: 38,
} as const;

/** Where the name starts in each class (its fixed size). */
const NAME_AT: Readonly<Record<number, number>> = { 1: 64, 2: 68, 3: 94, 12: 12, 37: 104, 38: 80 };

export function isDirInfoClass(c: number): boolean {
  return NAME_AT[c] !== undefined;
}

/** One entry of class `cls` (NextEntryOffset 0), unpadded. */
export function encodeDirEntry(cls: number, name: string, a: Attrs): Buffer {
  const nameAt = NAME_AT[cls]!;
  const nameLen = Buffer.byteLength(name, 'utf16le');
  const b = Buffer.alloc(nameAt + nameLen);
  b.write(name, nameAt, 'utf16le');
  if (cls === DirInfoClass.FileNamesInformation) {
    b.writeUInt32LE(nameLen, 8);
    return b;
  }
  writeTimes(b, 8, a);
  b.writeBigUInt64LE(endOfFile(a), 40);
  b.writeBigUInt64LE(allocationSize(a), 48);
  b.writeUInt32LE(fileAttributes(a), 56);
  b.writeUInt32LE(nameLen, 60);
  const id = BigInt.asUintN(64, a.fileid);
  if (cls === DirInfoClass.FileIdBothDirectoryInformation) b.writeBigUInt64LE(id, 96);
  if (cls === DirInfoClass.FileIdFullDirectoryInformation) b.writeBigUInt64LE(id, 72);
  return b;
}
