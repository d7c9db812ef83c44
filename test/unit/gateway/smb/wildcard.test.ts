import { compileWildcard, hasWildcards } from '../../../../gateway/smb/wildcard';

const m = (pattern: string, name: string) => compileWildcard(pattern)(name);

describe('search patterns (MS-FSA §2.1.4.4)', () => {
  test('* and ? as usual, case-insensitively', () => {
    expect(m('*', 'anything.at.all')).toBe(true);
    expect(m('*.TXT', 'notes.txt')).toBe(true);
    expect(m('*.txt', 'notes.txt.bak')).toBe(false);
    expect(m('n?tes.*', 'NOTES.md')).toBe(true);
    expect(m('a?', 'a')).toBe(false);
  });

  test('a pattern without wildcards is an exact, case-insensitive name', () => {
    expect(hasWildcards('Readme.md')).toBe(false);
    expect(m('Readme.md', 'README.MD')).toBe(true);
    expect(m('Readme.md', 'Readme.mdx')).toBe(false);
  });

  test('DOS_STAR < stops at the last dot; DOS_QM > and DOS_DOT " match nothing at a dot or the end', () => {
    expect(m('<.txt', 'a.b.txt')).toBe(true);
    expect(m('<', 'name.ext')).toBe(false);
    expect(m('<.ext', 'name.ext')).toBe(true);
    expect(m('ab>>', 'ab')).toBe(true);
    expect(m('ab>>.c', 'abx.c')).toBe(true);
    expect(m('name"', 'name')).toBe(true);
    expect(m('name"*', 'name.x')).toBe(true);
  });

  test('a hostile pattern does not take exponential time', () => {
    const pattern = `${'*a'.repeat(200)}b`;
    const name = 'a'.repeat(250);
    const t = Date.now();
    expect(m(pattern, name)).toBe(false);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
