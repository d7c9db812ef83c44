import {
  checkName,
  checkSymlinkTarget,
  entryName,
  NAME_MAX_BYTES,
} from '../../../../gateway/backend/confine';
import { BackendError } from '../../../../gateway/backend/errors';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return (err as BackendError).code;
  }
}

describe('confine: names are single components', () => {
  test.each([
    ['', 'EACCES'],
    ['a/b', 'EACCES'],
    ['../etc', 'EACCES'],
    ['/', 'EACCES'],
    ['a\0b', 'EACCES'],
  ])('%j is refused with %s (as Linux knfsd)', (name, code) => {
    expect(codeOf(() => checkName(name, 'lookup'))).toBe(code);
    expect(codeOf(() => checkName(name, 'create'))).toBe(code);
  });

  test('the limit is 255 UTF-8 bytes, not 255 characters', () => {
    expect(codeOf(() => checkName('x'.repeat(NAME_MAX_BYTES), 'create'))).toBeUndefined();
    expect(codeOf(() => checkName('x'.repeat(NAME_MAX_BYTES + 1), 'create'))).toBe('ENAMETOOLONG');
    // 128 two-byte characters: 256 bytes.
    expect(codeOf(() => checkName('é'.repeat(128), 'lookup'))).toBe('ENAMETOOLONG');
  });

  test("lookup gives '.' and '..' their meaning", () => {
    expect(checkName('.', 'lookup')).toEqual({ kind: 'self' });
    expect(checkName('..', 'lookup')).toEqual({ kind: 'parent' });
    expect(checkName('...', 'lookup')).toEqual({ kind: 'entry', name: '...' });
    expect(checkName('.hidden', 'lookup')).toEqual({ kind: 'entry', name: '.hidden' });
  });

  test.each([
    ['create', '.', 'EEXIST'],
    ['create', '..', 'EEXIST'],
    ['remove', '.', 'EISDIR'],
    ['remove', '..', 'EISDIR'],
    ['rmdir', '.', 'EINVAL'],
    ['rmdir', '..', 'ENOTEMPTY'],
    ['rename', '.', 'EBUSY'],
    ['rename', '..', 'EBUSY'],
  ] as const)("%s of '%s' fails with %s, the Linux syscall's answer", (op, name, code) => {
    expect(codeOf(() => entryName(name, op))).toBe(code);
  });

  test('symlink text may be anything but empty, NUL-holding or longer than PATH_MAX', () => {
    expect(codeOf(() => checkSymlinkTarget('../../../etc/passwd'))).toBeUndefined();
    expect(codeOf(() => checkSymlinkTarget(''))).toBe('ENOENT');
    expect(codeOf(() => checkSymlinkTarget('a\0b'))).toBe('EINVAL');
    expect(codeOf(() => checkSymlinkTarget('a'.repeat(4096)))).toBe('ENAMETOOLONG');
  });
});
