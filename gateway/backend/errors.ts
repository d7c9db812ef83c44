/**
 * The one error a Backend throws. `code` is a POSIX errno name ('ENOENT', 'ESTALE', ...);
 * protocol layers map it to their status in one place each (nfs3-status, ntstatus).
 */
export type PosixCode =
  | 'EPERM'
  | 'ENOENT'
  | 'EIO'
  | 'ENXIO'
  | 'EACCES'
  | 'EEXIST'
  | 'EXDEV'
  | 'ENODEV'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EINVAL'
  | 'EFBIG'
  | 'ENOSPC'
  | 'EROFS'
  | 'EMLINK'
  | 'ENAMETOOLONG'
  | 'ENOTEMPTY'
  | 'EDQUOT'
  | 'ESTALE'
  | 'EBADHANDLE'
  | 'ENOTSUP'
  | 'ELOOP'
  | 'EBADF'
  | 'EAGAIN'
  | 'EBUSY'
  | 'ENODATA'
  | 'EBADCOOKIE'
  | 'ENOTSYNC';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly code: PosixCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

const KNOWN = new Set<string>([
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
  'ENOTSUP',
  'ELOOP',
  'EBADF',
  'EAGAIN',
  'EBUSY',
  'ENODATA',
]);

/** Turns whatever `fs` threw into a BackendError; unknown errnos become EIO with the cause kept. */
export function fromNodeError(err: unknown, context: string): BackendError {
  if (err instanceof BackendError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EOPNOTSUPP') return new BackendError('ENOTSUP', context, { cause: err });
  if (code === 'ENOTEMPTY' || code === 'EEXIST') return new BackendError(code, context, { cause: err });
  if (code && KNOWN.has(code)) return new BackendError(code as PosixCode, context, { cause: err });
  return new BackendError('EIO', `${context}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
