/**
 * File-system information classes for QUERY_INFO (MS-FSCC §2.5): volume, size, device,
 * attribute, control (quotas: none), full size, object id, sector size. Fixed sizes are the
 * structures' sizes with padding, as Windows counts them. Sizes come from the backend's statfs, in 4 KiB
 * allocation units of eight 512-byte sectors. The file system calls itself "NTFS", as Samba
 * does, so Windows clients enable what they would for a local disk.
 */
import type { FsStat } from '../../backend/backend';
import { NtStatus, SmbError } from '../ntstatus';
import { fileTime } from '../wire';
import type { Encoded } from './file-info';

export const FsInfoClass = {
  FileFsVolumeInformation: 1,
  FileFsSizeInformation: 3,
  FileFsDeviceInformation: 4,
  FileFsAttributeInformation: 5,
  FileFsControlInformation: 6,
  FileFsFullSizeInformation: 7,
  FileFsObjectIdInformation: 8,
  FileFsSectorSizeInformation: 11,
} as const;

const SECTOR = 512;
const SECTORS_PER_UNIT = 8;
const UNIT = SECTOR * SECTORS_PER_UNIT;
const FILE_DEVICE_DISK = 0x00000007;
/** CASE_SENSITIVE_SEARCH | CASE_PRESERVED_NAMES | UNICODE_ON_DISK | SUPPORTS_SPARSE_FILES (FSCTL_SET_SPARSE). */
const FS_ATTRIBUTES = 0x00000001 | 0x00000002 | 0x00000004 | 0x00000040;

export interface VolumeFacts {
  readonly label: string;
  readonly serial: number;
  readonly created: { sec: number; nsec: number };
  readonly fs: () => Promise<FsStat>;
}

export async function encodeFsInfo(cls: number, v: VolumeFacts): Promise<Encoded> {
  switch (cls) {
    case FsInfoClass.FileFsVolumeInformation: {
      const label = Buffer.from(v.label, 'utf16le');
      const b = Buffer.alloc(18 + label.length);
      b.writeBigUInt64LE(fileTime(v.created), 0);
      b.writeUInt32LE(v.serial >>> 0, 8);
      b.writeUInt32LE(label.length, 12);
      label.copy(b, 18);
      return { data: b, fixed: 24 };
    }
    case FsInfoClass.FileFsSizeInformation: {
      const s = await v.fs();
      const b = Buffer.alloc(24);
      b.writeBigUInt64LE(BigInt(Math.floor(s.totalBytes / UNIT)), 0);
      b.writeBigUInt64LE(BigInt(Math.floor(s.availBytes / UNIT)), 8);
      b.writeUInt32LE(SECTORS_PER_UNIT, 16);
      b.writeUInt32LE(SECTOR, 20);
      return { data: b, fixed: 24 };
    }
    case FsInfoClass.FileFsDeviceInformation: {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(FILE_DEVICE_DISK, 0);
      return { data: b, fixed: 8 };
    }
    case FsInfoClass.FileFsAttributeInformation: {
      const name = Buffer.from('NTFS', 'utf16le');
      const b = Buffer.alloc(12 + name.length);
      b.writeUInt32LE(FS_ATTRIBUTES, 0);
      b.writeUInt32LE(255, 4);
      b.writeUInt32LE(name.length, 8);
      name.copy(b, 12);
      return { data: b, fixed: 16 };
    }
    case FsInfoClass.FileFsControlInformation: {
      // MS-FSCC §2.5.2: no quotas here — thresholds 0, default threshold and limit "none" (-1).
      const b = Buffer.alloc(48);
      b.writeBigInt64LE(-1n, 24);
      b.writeBigInt64LE(-1n, 32);
      return { data: b, fixed: 48 };
    }
    case FsInfoClass.FileFsFullSizeInformation: {
      const s = await v.fs();
      const b = Buffer.alloc(32);
      b.writeBigUInt64LE(BigInt(Math.floor(s.totalBytes / UNIT)), 0);
      b.writeBigUInt64LE(BigInt(Math.floor(s.availBytes / UNIT)), 8);
      b.writeBigUInt64LE(BigInt(Math.floor(s.freeBytes / UNIT)), 16);
      b.writeUInt32LE(SECTORS_PER_UNIT, 24);
      b.writeUInt32LE(SECTOR, 28);
      return { data: b, fixed: 32 };
    }
    case FsInfoClass.FileFsObjectIdInformation:
      return { data: Buffer.alloc(64), fixed: 64 };
    case FsInfoClass.FileFsSectorSizeInformation: {
      const b = Buffer.alloc(28);
      for (let i = 0; i < 4; i++) b.writeUInt32LE(SECTOR, 4 * i);
      return { data: b, fixed: 28 };
    }
    default:
      throw new SmbError(NtStatus.STATUS_INVALID_INFO_CLASS, `file system information class ${cls}`);
  }
}
