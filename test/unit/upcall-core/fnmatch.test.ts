import { compileGlob } from '../../../upcall-core/fnmatch';

describe('fnmatch (no flags), as GlusterFS matches xattr names', () => {
  test.each([
    ['user.*', 'user.foo', true],
    ['user.*', 'user.', true],
    ['user.*', 'trusted.foo', false],
    ['user.?', 'user.a', true],
    ['user.?', 'user.ab', false],
    ['*', 'a/b', true],
    ['security.[sa]*', 'security.selinux', true],
    ['security.[!sa]*', 'security.selinux', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['x[', 'x[', true],
    ['[]]', ']', true],
    ['user.(x)+', 'user.(x)+', true],
  ])('%s vs %s → %s', (pattern, name, want) => {
    expect(compileGlob(pattern).test(name)).toBe(want);
  });
});
