/**
 * SMB path names (MS-SMB2 §2.2.13 CREATE Buffer, §2.2.39 FileRenameInformation): relative to
 * the share root, '\'-separated, UTF-16. Confinement starts here, before the backend sees a
 * name (which confines again, see gateway/backend/confine.ts):
 * - a leading '\' is refused with STATUS_INVALID_PARAMETER (§3.3.5.9: names are relative);
 * - '..' (and '.') components are refused with STATUS_OBJECT_PATH_SYNTAX_BAD: a path never
 *   climbs, even when it would stay inside the share;
 * - ':' (alternate data streams, `file:stream:$DATA`), wildcards, control characters, '/' and
 *   NUL are refused with STATUS_OBJECT_NAME_INVALID (MS-FSCC §2.1.5.2 invalid name characters);
 * - an empty component ('a\\b') likewise; one trailing '\' is tolerated ('dir\').
 * Resolution walks component by component with the caller's Cred: a missing or non-directory
 * intermediate component is STATUS_OBJECT_PATH_NOT_FOUND, and symlinks are never followed. A
 * component missing under its exact name is looked for ignoring case (case-lookup.ts).
 */
import { type Attrs, FileType, type Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import { BackendError } from '../backend/errors';
import { lookupIgnoringCase } from './case-lookup';
import { NtStatus, SmbError } from './ntstatus';

/** Longest path accepted, in UTF-16 code units (Windows' 32767-character limit). */
export const MAX_PATH_UNITS = 32767;
const NAME_MAX_BYTES = 255;
const INVALID_CHARS = /["*/:<>?|]/;

/** A control character (U+0000..U+001F) anywhere in `s`. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/** The components of a share-relative path; [] is the share root. */
export function parseSmbPath(path: string): string[] {
  if (path.length > MAX_PATH_UNITS) throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, 'path too long');
  if (path === '') return [];
  if (path.startsWith('\\'))
    throw new SmbError(
      NtStatus.STATUS_INVALID_PARAMETER,
      `path starts with a separator: ${JSON.stringify(path)}`,
    );
  const trimmed = path.endsWith('\\') ? path.slice(0, -1) : path;
  const parts = trimmed.split('\\');
  for (const p of parts) {
    if (p === '..' || p === '.')
      throw new SmbError(NtStatus.STATUS_OBJECT_PATH_SYNTAX_BAD, `'${p}' in path ${JSON.stringify(path)}`);
    if (p === '' || INVALID_CHARS.test(p) || hasControl(p))
      throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, `invalid name in path ${JSON.stringify(path)}`);
    if (Buffer.byteLength(p, 'utf8') > NAME_MAX_BYTES)
      throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, 'name longer than 255 bytes');
  }
  return parts;
}

export interface Resolved {
  /** The directory holding the last component; undefined for the share root itself. */
  readonly parent?: Attrs;
  /** The last component ('' for the root): the name on disk when found ignoring case. */
  readonly name: string;
  /** The object, when it exists. */
  readonly target?: Attrs;
}

/** Walks `parts` from `root`. The last component may be missing (target undefined); nothing else may. */
export async function resolvePath(
  backend: Backend,
  root: Ino,
  parts: readonly string[],
  cred: Cred,
): Promise<Resolved> {
  if (parts.length === 0) return { name: '', target: await backend.getattr(root) };
  let dir = await backend.getattr(root);
  for (const p of parts.slice(0, -1)) {
    const next = await lookupOrUndefined(backend, dir.fileid, p, cred);
    if (!next || next.attrs.type !== FileType.DIR)
      throw new SmbError(NtStatus.STATUS_OBJECT_PATH_NOT_FOUND, `no directory '${p}' on the way`);
    dir = next.attrs;
  }
  const asked = parts.at(-1)!;
  const found = await lookupOrUndefined(backend, dir.fileid, asked, cred);
  return found ? { parent: dir, name: found.name, target: found.attrs } : { parent: dir, name: asked };
}

async function lookupOrUndefined(
  backend: Backend,
  dir: Ino,
  name: string,
  cred: Cred,
): Promise<{ attrs: Attrs; name: string } | undefined> {
  try {
    return { attrs: await backend.lookup(dir, name, cred), name };
  } catch (err) {
    if (err instanceof BackendError && err.code === 'ENOENT')
      return lookupIgnoringCase(backend, dir, name, cred);
    throw err;
  }
}

/** The share-relative display path of components. */
export function joinSmbPath(parts: readonly string[]): string {
  return parts.join('\\');
}
