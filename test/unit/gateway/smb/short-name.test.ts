import { shortNameOf } from '../../../../gateway/smb/short-name';

describe('8.3 short names for FileAlternateNameInformation (MS-FSCC §2.4.5)', () => {
  test('an 8.3 name is its own short name, upper-cased', () => {
    expect(shortNameOf('b.txt')).toBe('B.TXT');
    expect(shortNameOf('README')).toBe('README');
  });

  test('a long name becomes base~hash.ext, stable for the same name', () => {
    const s = shortNameOf('verylongdirectoryname.withext');
    expect(s).toMatch(/^VERYL~[0-9A-Z]{2}\.WIT$/);
    expect(shortNameOf('verylongdirectoryname.withext')).toBe(s);
    expect(shortNameOf('a b c.d')).toMatch(/^ABC~[0-9A-Z]{2}\.D$/);
    expect(shortNameOf('.hidden')).toMatch(/^HIDDE~[0-9A-Z]{2}$/);
  });
});
