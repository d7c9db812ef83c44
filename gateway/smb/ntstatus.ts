import { BackendError, type PosixCode } from '../backend/errors';

/**
 * NTSTATUS values the SMB2 server answers with (MS-ERREF §2.3.1; names as there, so a grep
 * against the spec works) and THE one mapping from a Backend failure to one of them. No command
 * maps errnos itself: it throws (or lets through) a BackendError, or throws an SmbError when
 * the protocol layer itself refuses, and `toNtStatus` decides.
 */
export const NtStatus = {
  STATUS_SUCCESS: 0x00000000,
  STATUS_PENDING: 0x00000103,
  STATUS_NOTIFY_CLEANUP: 0x0000010b,
  STATUS_NOTIFY_ENUM_DIR: 0x0000010c,
  STATUS_BUFFER_OVERFLOW: 0x80000005,
  STATUS_NO_MORE_FILES: 0x80000006,
  STATUS_UNSUCCESSFUL: 0xc0000001,
  STATUS_NOT_IMPLEMENTED: 0xc0000002,
  STATUS_INVALID_INFO_CLASS: 0xc0000003,
  STATUS_INFO_LENGTH_MISMATCH: 0xc0000004,
  STATUS_INVALID_HANDLE: 0xc0000008,
  STATUS_INVALID_PARAMETER: 0xc000000d,
  STATUS_NO_SUCH_DEVICE: 0xc000000e,
  STATUS_NO_SUCH_FILE: 0xc000000f,
  STATUS_INVALID_DEVICE_REQUEST: 0xc0000010,
  STATUS_END_OF_FILE: 0xc0000011,
  STATUS_MORE_PROCESSING_REQUIRED: 0xc0000016,
  STATUS_INVALID_VIEW_SIZE: 0xc000001f,
  STATUS_ACCESS_DENIED: 0xc0000022,
  STATUS_BUFFER_TOO_SMALL: 0xc0000023,
  STATUS_OBJECT_NAME_INVALID: 0xc0000033,
  STATUS_OBJECT_NAME_NOT_FOUND: 0xc0000034,
  STATUS_OBJECT_NAME_COLLISION: 0xc0000035,
  STATUS_OBJECT_PATH_NOT_FOUND: 0xc000003a,
  STATUS_OBJECT_PATH_SYNTAX_BAD: 0xc000003b,
  STATUS_SHARING_VIOLATION: 0xc0000043,
  STATUS_EAS_NOT_SUPPORTED: 0xc000004f,
  STATUS_NO_EAS_ON_FILE: 0xc0000052,
  STATUS_FILE_LOCK_CONFLICT: 0xc0000054,
  STATUS_LOCK_NOT_GRANTED: 0xc0000055,
  STATUS_DELETE_PENDING: 0xc0000056,
  STATUS_PRIVILEGE_NOT_HELD: 0xc0000061,
  STATUS_INVALID_OWNER: 0xc000005a,
  STATUS_LOGON_FAILURE: 0xc000006d,
  STATUS_RANGE_NOT_LOCKED: 0xc000007e,
  STATUS_DISK_FULL: 0xc000007f,
  STATUS_INVALID_SECURITY_DESCR: 0xc0000079,
  STATUS_INSUFFICIENT_RESOURCES: 0xc000009a,
  STATUS_MEDIA_WRITE_PROTECTED: 0xc00000a2,
  STATUS_BAD_IMPERSONATION_LEVEL: 0xc00000a5,
  STATUS_FILE_IS_A_DIRECTORY: 0xc00000ba,
  STATUS_NOT_SUPPORTED: 0xc00000bb,
  STATUS_NETWORK_BUSY: 0xc00000bf,
  STATUS_NETWORK_NAME_DELETED: 0xc00000c9,
  STATUS_BAD_NETWORK_NAME: 0xc00000cc,
  STATUS_REQUEST_NOT_ACCEPTED: 0xc00000d0,
  STATUS_REQUEST_OUT_OF_SEQUENCE: 0xc000042a,
  STATUS_NOT_SAME_DEVICE: 0xc00000d4,
  STATUS_PIPE_EMPTY: 0xc00000d9,
  STATUS_INVALID_OPLOCK_PROTOCOL: 0xc00000e3,
  STATUS_INTERNAL_ERROR: 0xc00000e5,
  STATUS_UNEXPECTED_IO_ERROR: 0xc00000e9,
  STATUS_DIRECTORY_NOT_EMPTY: 0xc0000101,
  STATUS_NOT_A_DIRECTORY: 0xc0000103,
  STATUS_CANCELLED: 0xc0000120,
  STATUS_CANNOT_DELETE: 0xc0000121,
  STATUS_FILE_CLOSED: 0xc0000128,
  STATUS_PIPE_BROKEN: 0xc000014b,
  STATUS_INVALID_LOCK_RANGE: 0xc00001a1,
  STATUS_USER_SESSION_DELETED: 0xc0000203,
  STATUS_NOT_FOUND: 0xc0000225,
  STATUS_DUPLICATE_OBJECTID: 0xc000022a,
  STATUS_TOO_MANY_LINKS: 0xc0000265,
  STATUS_NOT_A_REPARSE_POINT: 0xc0000275,
  STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP: 0xc05d0000,
} as const;

export type NtStatusName = keyof typeof NtStatus;

const NAMES = new Map<number, NtStatusName>(
  Object.entries(NtStatus).map(([k, v]) => [v, k as NtStatusName] as const),
);

/** 'STATUS_ACCESS_DENIED' for 0xC0000022; hex for a value not in the table. */
export function ntStatusName(status: number): string {
  return NAMES.get(status) ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

/** MS-ERREF §2.3: severity 11 (error) in the top two bits; 00 success/informational, 10 warning. */
export function isError(status: number): boolean {
  return status >>> 30 === 3;
}

/**
 * A refusal decided by the SMB layer itself (bad request, missing session, protocol rule), with
 * no errno behind it. `errorData` rides in the ERROR response's ErrorData (MS-SMB2 §2.2.2),
 * e.g. the size a QUERY_INFO for a security descriptor would need.
 */
export class SmbError extends Error {
  override readonly name = 'SmbError';
  constructor(
    readonly status: number,
    message: string,
    readonly errorData?: Buffer,
  ) {
    super(`${ntStatusName(status)}: ${message}`);
  }
}

const S = NtStatus;

/** Samba's unix → NT table (errormap.c) where it has a row; the rest chosen so clients neither retry forever nor see a server fault. */
const BY_CODE: Readonly<Record<PosixCode, number>> = {
  EPERM: S.STATUS_ACCESS_DENIED,
  ENOENT: S.STATUS_OBJECT_NAME_NOT_FOUND,
  EIO: S.STATUS_UNEXPECTED_IO_ERROR,
  ENXIO: S.STATUS_NO_SUCH_DEVICE,
  EACCES: S.STATUS_ACCESS_DENIED,
  EEXIST: S.STATUS_OBJECT_NAME_COLLISION,
  EXDEV: S.STATUS_NOT_SAME_DEVICE,
  ENODEV: S.STATUS_NO_SUCH_DEVICE,
  ENOTDIR: S.STATUS_NOT_A_DIRECTORY,
  EISDIR: S.STATUS_FILE_IS_A_DIRECTORY,
  EINVAL: S.STATUS_INVALID_PARAMETER,
  EFBIG: S.STATUS_DISK_FULL,
  ENOSPC: S.STATUS_DISK_FULL,
  EROFS: S.STATUS_MEDIA_WRITE_PROTECTED,
  EMLINK: S.STATUS_TOO_MANY_LINKS,
  ENAMETOOLONG: S.STATUS_OBJECT_NAME_INVALID,
  ENOTEMPTY: S.STATUS_DIRECTORY_NOT_EMPTY,
  EDQUOT: S.STATUS_DISK_FULL,
  // The object went away under an open handle (removed through NFS or on disk).
  ESTALE: S.STATUS_FILE_CLOSED,
  EBADHANDLE: S.STATUS_INVALID_HANDLE,
  ENOTSUP: S.STATUS_NOT_SUPPORTED,
  // The backend never follows a symlink: an operation that would have to is refused.
  ELOOP: S.STATUS_ACCESS_DENIED,
  EBADF: S.STATUS_INVALID_HANDLE,
  EAGAIN: S.STATUS_NETWORK_BUSY,
  EBUSY: S.STATUS_SHARING_VIOLATION,
  ENODATA: S.STATUS_OBJECT_NAME_NOT_FOUND,
  EBADCOOKIE: S.STATUS_INVALID_PARAMETER,
  ENOTSYNC: S.STATUS_INVALID_PARAMETER,
};

/** THE errno → NTSTATUS mapping. Anything that is neither an SmbError nor a BackendError is a server fault. */
export function toNtStatus(err: unknown): number {
  if (err instanceof SmbError) return err.status;
  if (err instanceof BackendError) return BY_CODE[err.code] ?? S.STATUS_INTERNAL_ERROR;
  return S.STATUS_INTERNAL_ERROR;
}

/** Statuses that are a normal answer (a miss, a refusal), logged at debug; the rest at warn. */
export function isExpectedStatus(status: number): boolean {
  return status !== S.STATUS_INTERNAL_ERROR && status !== S.STATUS_UNEXPECTED_IO_ERROR;
}
