import { encodeInodeKey, jsonCodec } from '../../../../../adapters/transport/redis/event-codec';
import { UpcallFlags as F } from '../../../../../upcall-core';

describe('Redis event codec', () => {
  const codec = jsonCodec<unknown>();

  test('a change with a stat holding bigints and nested objects comes back equal', () => {
    const stat = {
      fileid: 2n ** 60n + 7n,
      fsid: 42n,
      size: 5,
      mtime: { sec: 1, nsec: 2 },
      rdev: { major: 0, minor: 0 },
    };
    const ev = {
      inode: 7,
      flags: F.RENAME | F.PARENT_TIMES,
      stat,
      parent: 'p',
      parentStat: { fileid: 3n },
      name: 'y',
      oldParent: 9,
      oldName: 'x n',
      xattrs: ['user.a'],
    };
    expect(codec.decode(codec.encode('head-1/nfs', ev))).toEqual({
      ...ev,
      origin: 'head-1/nfs',
      oldParentStat: undefined,
    });
  });

  test('names that look like numbers or tags stay strings', () => {
    const ev = { inode: '12n', flags: F.SIZE, name: '123', xattrs: ['$n'] };
    const back = codec.decode(codec.encode('o', ev));
    expect(back).toMatchObject({ inode: '12n', name: '123', xattrs: ['$n'] });
  });

  test('inode keys: the number 5 and the string "5" stay apart in key names', () => {
    expect(encodeInodeKey(5)).toBe('5');
    expect(encodeInodeKey('5')).toBe('"5"');
    expect(encodeInodeKey(5)).not.toBe(encodeInodeKey('5'));
  });
});
