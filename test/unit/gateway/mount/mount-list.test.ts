import { BackendError } from '../../../../gateway/backend/errors';
import { MountList } from '../../../../gateway/mount/mount-list';
import { MountStat3, toMountStat3 } from '../../../../gateway/mount/mount3-status';

describe('MountList (RFC 1813 §5.2.2 DUMP)', () => {
  test('one entry per (host, dirpath); remove and removeAll', () => {
    const l = new MountList();
    l.add('10.0.0.1', '/a');
    l.add('10.0.0.1', '/a');
    l.add('10.0.0.1', '/b');
    l.add('10.0.0.2', '/a');
    expect(l.size).toBe(3);
    expect(l.remove('10.0.0.1', '/a')).toBe(true);
    expect(l.remove('10.0.0.1', '/a')).toBe(false);
    expect(l.removeAll('10.0.0.1')).toBe(1);
    expect(l.list()).toEqual([{ host: '10.0.0.2', dirpath: '/a' }]);
  });

  test('past its bound the oldest entry goes', () => {
    const l = new MountList(2);
    l.add('h1', '/a');
    l.add('h2', '/a');
    l.add('h3', '/a');
    expect(l.list().map((e) => e.host)).toEqual(['h2', 'h3']);
  });
});

describe('toMountStat3 follows the one nfsstat3 mapping', () => {
  test('shared codes keep their value, others are SERVERFAULT', () => {
    expect(toMountStat3(new BackendError('ENOENT', 'x'))).toBe(MountStat3.MNT3ERR_NOENT);
    expect(toMountStat3(new BackendError('ENOTDIR', 'x'))).toBe(MountStat3.MNT3ERR_NOTDIR);
    expect(toMountStat3(new BackendError('EACCES', 'x'))).toBe(MountStat3.MNT3ERR_ACCES);
    expect(toMountStat3(new BackendError('ESTALE', 'x'))).toBe(MountStat3.MNT3ERR_NOENT);
    expect(toMountStat3(new BackendError('EEXIST', 'x'))).toBe(MountStat3.MNT3ERR_SERVERFAULT);
    expect(toMountStat3(new Error('bug'))).toBe(MountStat3.MNT3ERR_SERVERFAULT);
  });
});
