import { BackendError } from '../backend/errors';
import { NAME_MAX } from './nfs3-limits';

/**
 * What a filename3 may be, as the protocol layer sees it, checked before any Backend call
 * (defence in depth: a Backend that forgot to refuse '/' must still not be handed a path):
 * - longer than NAME_MAX bytes (PATHCONF name_max) → NFS3ERR_NAMETOOLONG
 * - empty, or holding '/' or NUL → NFS3ERR_ACCES (what Linux knfsd answers, lookup_one_len)
 * What "." and ".." mean to each operation is the Backend's to say (LOOKUP resolves them, a
 * create is EEXIST, ...), so there is one policy for them, not two that could drift apart.
 */
export function checkName(name: string): void {
  if (name.length > NAME_MAX || Buffer.byteLength(name, 'utf8') > NAME_MAX) {
    throw new BackendError('ENAMETOOLONG', `name of more than ${NAME_MAX} bytes`);
  }
  if (name.length === 0 || name.includes('/') || name.includes('\0')) {
    throw new BackendError('EACCES', `not a component name: ${JSON.stringify(name)}`);
  }
}
