import { BackendError, type PosixCode } from '../../../../gateway/backend/errors';
import { Nfs3Error, Nfs3Stat, toNfs3Stat } from '../../../../gateway/nfs/nfs3-status';

describe('toNfs3Stat: the one errno → nfsstat3 mapping (RFC 1813 §2.6)', () => {
  const table: [PosixCode, Nfs3Stat][] = [
    ['EPERM', Nfs3Stat.NFS3ERR_PERM],
    ['ENOENT', Nfs3Stat.NFS3ERR_NOENT],
    ['EIO', Nfs3Stat.NFS3ERR_IO],
    ['EACCES', Nfs3Stat.NFS3ERR_ACCES],
    ['EEXIST', Nfs3Stat.NFS3ERR_EXIST],
    ['EXDEV', Nfs3Stat.NFS3ERR_XDEV],
    ['ENOTDIR', Nfs3Stat.NFS3ERR_NOTDIR],
    ['EISDIR', Nfs3Stat.NFS3ERR_ISDIR],
    ['EINVAL', Nfs3Stat.NFS3ERR_INVAL],
    ['EFBIG', Nfs3Stat.NFS3ERR_FBIG],
    ['ENOSPC', Nfs3Stat.NFS3ERR_NOSPC],
    ['EROFS', Nfs3Stat.NFS3ERR_ROFS],
    ['EMLINK', Nfs3Stat.NFS3ERR_MLINK],
    ['ENAMETOOLONG', Nfs3Stat.NFS3ERR_NAMETOOLONG],
    ['ENOTEMPTY', Nfs3Stat.NFS3ERR_NOTEMPTY],
    ['EDQUOT', Nfs3Stat.NFS3ERR_DQUOT],
    ['ESTALE', Nfs3Stat.NFS3ERR_STALE],
    ['EBADHANDLE', Nfs3Stat.NFS3ERR_BADHANDLE],
    ['ENOTSUP', Nfs3Stat.NFS3ERR_NOTSUPP],
    ['EBADCOOKIE', Nfs3Stat.NFS3ERR_BAD_COOKIE],
    ['ENOTSYNC', Nfs3Stat.NFS3ERR_NOT_SYNC],
    ['EAGAIN', Nfs3Stat.NFS3ERR_JUKEBOX],
  ];

  test.each(table)('%s → %s', (code, stat) => {
    expect(toNfs3Stat(new BackendError(code, 'x'))).toBe(stat);
  });

  test('status values are the RFC numbers', () => {
    expect([Nfs3Stat.NFS3ERR_BADHANDLE, Nfs3Stat.NFS3ERR_JUKEBOX, Nfs3Stat.NFS3ERR_STALE]).toEqual([
      10001, 10008, 70,
    ]);
    expect([Nfs3Stat.NFS3ERR_NOT_SYNC, Nfs3Stat.NFS3ERR_BAD_COOKIE, Nfs3Stat.NFS3ERR_TOOSMALL]).toEqual([
      10002, 10003, 10005,
    ]);
  });

  test('a protocol refusal keeps its own status', () => {
    expect(toNfs3Stat(new Nfs3Error(Nfs3Stat.NFS3ERR_TOOSMALL, 'x'))).toBe(Nfs3Stat.NFS3ERR_TOOSMALL);
  });

  test('anything that is not a BackendError is NFS3ERR_SERVERFAULT', () => {
    expect(toNfs3Stat(new TypeError('bug'))).toBe(Nfs3Stat.NFS3ERR_SERVERFAULT);
    expect(toNfs3Stat('string')).toBe(Nfs3Stat.NFS3ERR_SERVERFAULT);
    expect(toNfs3Stat(Object.assign(new Error('raw fs'), { code: 'ENOENT' }))).toBe(
      Nfs3Stat.NFS3ERR_SERVERFAULT,
    );
  });
});
