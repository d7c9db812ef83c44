import { BackendError } from '../backend/errors';
import { NAME_MAX } from './nfs3-limits';

/**
 * What a filename3 may be, decided once for every procedure (RFC 1813 §3.2: "." and ".." are
 * names the server interprets; a name never holds '/'). The refusals follow what Linux's nfsd
 * answers, so clients see familiar statuses:
 * - longer than NAME_MAX bytes → NAMETOOLONG
 * - empty, or holding '/' or NUL → ACCES
 * - "." or ".." as the name to create (CREATE, MKDIR, SYMLINK, MKNOD, LINK) → EXIST
 * - "." or ".." as the name to remove or rename → INVAL
 * LOOKUP alone accepts "." and "..".
 */
export type NameUse = 'lookup' | 'create' | 'remove';

export function checkName(name: string, use: NameUse): void {
  if (name.length > NAME_MAX || Buffer.byteLength(name, 'utf8') > NAME_MAX) {
    throw new BackendError('ENAMETOOLONG', `name of more than ${NAME_MAX} bytes`);
  }
  if (name.length === 0 || name.includes('/') || name.includes('\0')) {
    throw new BackendError('EACCES', `not a component name: ${JSON.stringify(name)}`);
  }
  if (use !== 'lookup' && (name === '.' || name === '..')) {
    throw new BackendError(use === 'create' ? 'EEXIST' : 'EINVAL', `'${name}' names the directory itself`);
  }
}
