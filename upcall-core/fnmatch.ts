/**
 * fnmatch(3) with no flags, as GlusterFS matches registered xattr names: `*` and `?` match any
 * character (including '/' and a leading '.'), `[...]` and `[!...]` are sets, `\` escapes.
 * Written here rather than taken from a path-glob library because those give `/` and dot-files
 * path semantics that fnmatch without FNM_PATHNAME/FNM_PERIOD does not have.
 */
export function compileGlob(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]);
    else if (ch === '[') {
      const close = findClass(pattern, i);
      if (close < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        const negate = body[0] === '!' || body[0] === '^';
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
        i = close;
      }
    } else re += escapeRegExp(ch);
  }
  return new RegExp(`${re}$`);
}

/** Index of the `]` that closes the class opened at `open`, or -1. A `]` first in the class is literal. */
function findClass(p: string, open: number): number {
  let j = open + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) if (p[j] === ']') return j;
  return -1;
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
