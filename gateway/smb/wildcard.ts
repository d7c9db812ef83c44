/**
 * QUERY_DIRECTORY search patterns (MS-SMB2 §2.2.33 FileName; matching as MS-FSA §2.1.4.4 "is
 * in expression"), case-insensitive:
 *   '*' any run of characters        '?' exactly one character
 *   '<' DOS_STAR: any run that does not pass the name's last '.'
 *   '>' DOS_QM: one character, or nothing at a '.' or at the end of the name
 *   '"' DOS_DOT: a '.', or nothing at the end of the name
 * The matcher memoises (pattern position, name position) failures, so a hostile pattern like
 * '*a*a*a*…b' costs at most pattern × name steps.
 */

/** Longest pattern accepted (characters); longer ones are refused before any matching. */
export const MAX_PATTERN_CHARS = 1024;

const WILD = /[*?<>"]/;

export function hasWildcards(pattern: string): boolean {
  return WILD.test(pattern);
}

/** A predicate for names matching `pattern`. '' and '*' match everything. */
export function compileWildcard(pattern: string): (name: string) => boolean {
  if (pattern === '' || pattern === '*') return () => true;
  const p = [...pattern.toLowerCase()];
  if (!hasWildcards(pattern)) {
    const want = pattern.toLowerCase();
    return (name) => name.toLowerCase() === want;
  }
  return (name) => matches(p, [...name.toLowerCase()]);
}

function matches(p: readonly string[], n: readonly string[]): boolean {
  const failed = new Set<number>();
  const width = n.length + 1;
  const lastDot = n.lastIndexOf('.');
  const anyRun = (pi: number, from: number, to: number): boolean => {
    for (let k = from; k <= to; k++) if (go(pi + 1, k)) return true;
    return false;
  };
  const go = (pi: number, ni: number): boolean => {
    for (;;) {
      if (pi === p.length) return ni === n.length;
      const c = p[pi]!;
      if (c === '*' || c === '<') {
        const key = pi * width + ni;
        if (failed.has(key)) return false;
        const ok = anyRun(pi, ni, c === '<' && lastDot >= ni ? lastDot : n.length);
        if (!ok) failed.add(key);
        return ok;
      }
      if (c === '>') {
        if (ni < n.length && n[ni] !== '.') ni++;
      } else if (c === '"') {
        if (ni < n.length && n[ni] === '.') ni++;
        else if (ni !== n.length) return false;
      } else if (c === '?') {
        if (ni >= n.length) return false;
        ni++;
      } else {
        if (ni >= n.length || n[ni] !== c) return false;
        ni++;
      }
      pi++;
    }
  };
  return go(0, 0);
}
