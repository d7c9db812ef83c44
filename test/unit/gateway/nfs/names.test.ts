import { BackendError } from '../../../../gateway/backend/errors';
import { checkName, type NameUse } from '../../../../gateway/nfs/names';

function codeOf(name: string, use: NameUse): string | undefined {
  try {
    checkName(name, use);
    return undefined;
  } catch (err) {
    return (err as BackendError).code;
  }
}

describe('checkName: what a filename3 may be', () => {
  test('255 bytes pass, 256 are ENAMETOOLONG (PATHCONF name_max 255)', () => {
    expect(codeOf('a'.repeat(255), 'create')).toBeUndefined();
    expect(codeOf('a'.repeat(256), 'create')).toBe('ENAMETOOLONG');
    // 128 two-byte characters are 256 bytes.
    expect(codeOf('é'.repeat(128), 'lookup')).toBe('ENAMETOOLONG');
  });

  test("empty, '/' and NUL are EACCES", () => {
    expect(codeOf('', 'lookup')).toBe('EACCES');
    expect(codeOf('a/b', 'create')).toBe('EACCES');
    expect(codeOf('a\0b', 'remove')).toBe('EACCES');
  });

  test("'.' and '..' are looked up, not created (EEXIST) nor removed (EINVAL)", () => {
    expect(codeOf('..', 'lookup')).toBeUndefined();
    expect(codeOf('.', 'create')).toBe('EEXIST');
    expect(codeOf('..', 'remove')).toBe('EINVAL');
  });

  test('the error is a BackendError', () => {
    expect(() => checkName('', 'lookup')).toThrow(BackendError);
  });
});
