/**
 * 8.3 short names for FileAlternateNameInformation (MS-FSCC §2.4.5). We keep none on disk, so
 * one is derived from the long name the way Samba's mangling does in spirit: a name that is
 * already a valid 8.3 name is its own short name (upper-cased); any other becomes up to five
 * legal characters of its base, '~', two characters of a hash of the whole name, and up to
 * three legal characters of its extension. Deterministic, so a client sees the same short name
 * every time (distinct long names may share one; it is only for display and legacy clients).
 */

const LEGAL = /[A-Z0-9!#$%&'()\-@^_`{}~]/;

function legalUpper(s: string, max: number): string {
  let out = '';
  for (const ch of s.toUpperCase()) {
    if (out.length >= max) break;
    if (LEGAL.test(ch)) out += ch;
  }
  return out;
}

function isShortName(name: string): boolean {
  const m = /^([^.]{1,8})(?:\.([^.]{1,3}))?$/.exec(name);
  if (!m) return false;
  const base = m[1]!;
  const ext = m[2] ?? '';
  return legalUpper(base, 8) === base.toUpperCase() && legalUpper(ext, 3) === ext.toUpperCase();
}

/** FNV-1a over UTF-16 code units, folded to two base-36 digits. */
function hash2(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 1296).toString(36).toUpperCase().padStart(2, '0');
}

export function shortNameOf(name: string): string {
  if (name === '' || isShortName(name)) return name.toUpperCase();
  const dot = name.lastIndexOf('.');
  const base = legalUpper(dot > 0 ? name.slice(0, dot) : name, 5) || '_';
  const ext = dot > 0 ? legalUpper(name.slice(dot + 1), 3) : '';
  return `${base}~${hash2(name)}${ext ? `.${ext}` : ''}`;
}
