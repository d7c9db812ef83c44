/**
 * File information classes for QUERY_INFO (MS-FSCC §2.4; which ones SMB2 passes through,
 * MS-SMB2 §3.3.5.20.1). Each encoder returns the full structure and its fixed size — the C
 * structure's size with its first name character and padding, as Windows counts it (smbtorture
 * getinfo.qfile_buffercheck lists them): a buffer
 * smaller than the fixed size is STATUS_INFO_LENGTH_MISMATCH, one that cuts the variable part
 * is STATUS_BUFFER_OVERFLOW with what fits (the caller decides; see query-info.ts).
 */
import { type Attrs, FileType } from '../../backend/attrs';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from '../file-attrs';
import { NtStatus, SmbError } from '../ntstatus';
import { Access, type Open } from '../open-table';
import { shortNameOf } from '../short-name';

export const FileInfoClass = {
  FileBasicInformation: 4,
  FileStandardInformation: 5,
  FileInternalInformation: 6,
  FileEaInformation: 7,
  FileFullEaInformation: 15,
  FileAccessInformation: 8,
  FilePositionInformation: 14,
  FileModeInformation: 16,
  FileAlignmentInformation: 17,
  FileAllInformation: 18,
  FileAlternateNameInformation: 21,
  FileStreamInformation: 22,
  FileCompressionInformation: 28,
  FileNetworkOpenInformation: 34,
  FileAttributeTagInformation: 35,
  FileNormalizedNameInformation: 48,
} as const;

export interface Encoded {
  readonly data: Buffer;
  readonly fixed: number;
}

/**
 * Classes that need FILE_READ_ATTRIBUTES on the open (MS-FSA §2.1.5.11: basic, all, network
 * open, attribute tag); standard, stream, internal and the rest need no access at all.
 */
export const NEEDS_READ_ATTRIBUTES = new Set<number>([4, 18, 34, 35]);

function basic(a: Attrs): Buffer {
  const b = Buffer.alloc(40);
  writeTimes(b, 0, a);
  b.writeUInt32LE(fileAttributes(a), 32);
  return b;
}

function standard(a: Attrs, deletePending: boolean): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigUInt64LE(allocationSize(a), 0);
  b.writeBigUInt64LE(endOfFile(a), 8);
  b.writeUInt32LE(a.nlink, 16);
  b[20] = deletePending ? 1 : 0;
  b[21] = a.type === FileType.DIR ? 1 : 0;
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v), 0);
  return b;
}

export function encodeFileInfo(
  cls: number,
  a: Attrs,
  open: Open,
  deletePending: boolean,
  dialect: number,
): Encoded {
  const fixed = (data: Buffer) => ({ data, fixed: data.length });
  switch (cls) {
    case FileInfoClass.FileBasicInformation:
      return fixed(basic(a));
    case FileInfoClass.FileStandardInformation:
      return fixed(standard(a, deletePending));
    case FileInfoClass.FileInternalInformation:
      return fixed(u64(a.fileid));
    case FileInfoClass.FileEaInformation:
    case FileInfoClass.FileModeInformation:
    case FileInfoClass.FileAlignmentInformation:
      return fixed(u32(0));
    case FileInfoClass.FileAccessInformation:
      return fixed(u32(open.access));
    case FileInfoClass.FilePositionInformation:
      return fixed(u64(open.position));
    case FileInfoClass.FileAllInformation: {
      // Basic, Standard, Internal, Ea, Access, Position, Mode, Alignment, then FileNameInformation.
      const name = Buffer.from(`\\${open.path}`, 'utf16le');
      const data = Buffer.concat([
        basic(a),
        standard(a, deletePending),
        u64(a.fileid),
        u32(0),
        u32(open.access),
        u64(open.position),
        u32(0),
        u32(0),
        u32(name.length),
        name,
      ]);
      return { data, fixed: 104 };
    }
    case FileInfoClass.FileAlternateNameInformation: {
      const short = Buffer.from(shortNameOf(open.name), 'utf16le');
      return { data: Buffer.concat([u32(short.length), short]), fixed: 8 };
    }
    case FileInfoClass.FileStreamInformation: {
      if (a.type === FileType.DIR) return { data: Buffer.alloc(0), fixed: 0 };
      const name = Buffer.from('::$DATA', 'utf16le');
      const b = Buffer.alloc(24 + name.length);
      b.writeUInt32LE(name.length, 4);
      b.writeBigUInt64LE(endOfFile(a), 8);
      b.writeBigUInt64LE(allocationSize(a), 16);
      name.copy(b, 24);
      return { data: b, fixed: 32 };
    }
    case FileInfoClass.FileCompressionInformation: {
      const b = Buffer.alloc(16);
      b.writeBigUInt64LE(endOfFile(a), 0);
      return fixed(b);
    }
    case FileInfoClass.FileNetworkOpenInformation: {
      const b = Buffer.alloc(56);
      writeTimes(b, 0, a);
      b.writeBigUInt64LE(allocationSize(a), 32);
      b.writeBigUInt64LE(endOfFile(a), 40);
      b.writeUInt32LE(fileAttributes(a), 48);
      return fixed(b);
    }
    case FileInfoClass.FileNormalizedNameInformation: {
      // MS-SMB2 §3.3.5.20.1: 3.1.1 only; the share-relative path without a leading separator.
      if (dialect < 0x0311) throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, 'normalized name before 3.1.1');
      const name = Buffer.from(open.path, 'utf16le');
      return { data: Buffer.concat([u32(name.length), name]), fixed: 4 };
    }
    case FileInfoClass.FileFullEaInformation:
      // MS-FSA §2.1.5.11.10: needs FILE_READ_EA. There are no EAs here (SET_INFO refuses them):
      // STATUS_NO_EAS_ON_FILE, as Windows answers for a file without any.
      if (!(open.access & Access.FILE_READ_EA))
        throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, 'FileFullEaInformation needs FILE_READ_EA');
      throw new SmbError(NtStatus.STATUS_NO_EAS_ON_FILE, 'no extended attributes');
    case FileInfoClass.FileAttributeTagInformation:
      return fixed(Buffer.concat([u32(fileAttributes(a)), u32(0)]));
    default:
      throw new SmbError(NtStatus.STATUS_INVALID_INFO_CLASS, `file information class ${cls}`);
  }
}
