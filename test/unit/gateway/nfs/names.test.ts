import { BackendError } from '../../../../gateway/backend/errors';
import { checkName } from '../../../../gateway/nfs/names';

function codeOf(name: string): string | undefined {
  try {
    checkName(name);
    return undefined;
  } catch (err) {
    return (err as BackendError).code;
  }
}

describe('checkName: what a filename3 may be before any Backend sees it', () => {
  test('255 bytes pass, 256 are ENAMETOOLONG (PATHCONF name_max 255)', () => {
    expect(codeOf('a'.repeat(255))).toBeUndefined();
    expect(codeOf('a'.repeat(256))).toBe('ENAMETOOLONG');
    // 128 two-byte characters are 256 bytes.
    expect(codeOf('é'.repeat(128))).toBe('ENAMETOOLONG');
  });

  test("empty, '/' and NUL are EACCES, as Linux knfsd answers", () => {
    expect(codeOf('')).toBe('EACCES');
    expect(codeOf('a/b')).toBe('EACCES');
    expect(codeOf('../etc')).toBe('EACCES');
    expect(codeOf('a\0b')).toBe('EACCES');
  });

  test("'.' and '..' are left to the Backend's policy", () => {
    expect(codeOf('.')).toBeUndefined();
    expect(codeOf('..')).toBeUndefined();
  });

  test('the error is a BackendError', () => {
    expect(() => checkName('')).toThrow(BackendError);
  });
});
