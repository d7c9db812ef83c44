import { BackendError, type PosixCode } from '../../../../gateway/backend/errors';
import { isError, NtStatus, ntStatusName, SmbError, toNtStatus } from '../../../../gateway/smb/ntstatus';

const CODES: PosixCode[] = [
  'EPERM',
  'ENOENT',
  'EIO',
  'ENXIO',
  'EACCES',
  'EEXIST',
  'EXDEV',
  'ENODEV',
  'ENOTDIR',
  'EISDIR',
  'EINVAL',
  'EFBIG',
  'ENOSPC',
  'EROFS',
  'EMLINK',
  'ENAMETOOLONG',
  'ENOTEMPTY',
  'EDQUOT',
  'ESTALE',
  'EBADHANDLE',
  'ENOTSUP',
  'ELOOP',
  'EBADF',
  'EAGAIN',
  'EBUSY',
  'ENODATA',
  'EBADCOOKIE',
  'ENOTSYNC',
];

describe('toNtStatus: the one BackendError → NTSTATUS mapping', () => {
  test('every POSIX code maps to an error status that is not a server fault', () => {
    for (const c of CODES) {
      const s = toNtStatus(new BackendError(c, 'x'));
      expect(isError(s)).toBe(true);
      expect(s).not.toBe(NtStatus.STATUS_INTERNAL_ERROR);
    }
  });

  test('the rows clients rely on', () => {
    const s = (c: PosixCode) => ntStatusName(toNtStatus(new BackendError(c, 'x')));
    expect(s('ENOENT')).toBe('STATUS_OBJECT_NAME_NOT_FOUND');
    expect(s('EACCES')).toBe('STATUS_ACCESS_DENIED');
    expect(s('EEXIST')).toBe('STATUS_OBJECT_NAME_COLLISION');
    expect(s('ENOTEMPTY')).toBe('STATUS_DIRECTORY_NOT_EMPTY');
    expect(s('ENOSPC')).toBe('STATUS_DISK_FULL');
    expect(s('EROFS')).toBe('STATUS_MEDIA_WRITE_PROTECTED');
  });

  test('an SmbError keeps its status; anything else is STATUS_INTERNAL_ERROR', () => {
    expect(toNtStatus(new SmbError(NtStatus.STATUS_FILE_CLOSED, 'x'))).toBe(NtStatus.STATUS_FILE_CLOSED);
    expect(toNtStatus(new TypeError('bug'))).toBe(NtStatus.STATUS_INTERNAL_ERROR);
    expect(toNtStatus('string')).toBe(NtStatus.STATUS_INTERNAL_ERROR);
  });

  test('severity: errors vs warnings and success', () => {
    expect(isError(NtStatus.STATUS_BUFFER_OVERFLOW)).toBe(false);
    expect(isError(NtStatus.STATUS_PENDING)).toBe(false);
    expect(isError(NtStatus.STATUS_ACCESS_DENIED)).toBe(true);
    expect(ntStatusName(0x12345678)).toBe('0x12345678');
  });
});
