import { NtStatus, SmbError } from '../../../../gateway/smb/ntstatus';
import { parseSmbPath } from '../../../../gateway/smb/paths';

const statusOf = (path: string): number => {
  try {
    parseSmbPath(path);
    return 0;
  } catch (err) {
    return (err as SmbError).status;
  }
};

describe('SMB path names stay inside the share (MS-SMB2 §3.3.5.9, MS-FSCC §2.1.5)', () => {
  test('share-relative components; the empty path is the root; one trailing separator is fine', () => {
    expect(parseSmbPath('')).toEqual([]);
    expect(parseSmbPath('dir\\sub\\file.txt')).toEqual(['dir', 'sub', 'file.txt']);
    expect(parseSmbPath('dir\\')).toEqual(['dir']);
  });

  test('a leading separator is STATUS_INVALID_PARAMETER (names are relative)', () => {
    expect(statusOf('\\etc\\passwd')).toBe(NtStatus.STATUS_INVALID_PARAMETER);
  });

  test("'..' and '.' anywhere are STATUS_OBJECT_PATH_SYNTAX_BAD, even when they would stay inside", () => {
    for (const p of ['..', '..\\x', 'a\\..\\b', 'a\\..', '.\\a'])
      expect(statusOf(p)).toBe(NtStatus.STATUS_OBJECT_PATH_SYNTAX_BAD);
  });

  test('alternate data streams, wildcards, control characters, / and empty components are invalid names', () => {
    for (const p of [
      'file:stream',
      'file::$DATA',
      'a*',
      'a?b',
      'x<y',
      'p|q',
      'a/b',
      'a\u0001',
      'a\\\\b',
      'nul\u0000',
    ])
      expect(statusOf(p)).toBe(NtStatus.STATUS_OBJECT_NAME_INVALID);
  });

  test('a component over 255 UTF-8 bytes is invalid', () => {
    expect(statusOf('é'.repeat(128))).toBe(NtStatus.STATUS_OBJECT_NAME_INVALID);
    expect(statusOf('é'.repeat(127))).toBe(0);
  });

  test('refusals are SmbErrors that say which path', () => {
    expect(() => parseSmbPath('a\\..\\b')).toThrow(SmbError);
    expect(() => parseSmbPath('a\\..\\b')).toThrow(/a\\\\\.\.\\\\b/);
  });
});
