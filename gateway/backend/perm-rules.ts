import type { BigIntStats } from 'node:fs';
import { inGroup, rwxFor } from './access-bits';
import { type Attrs, FileType, type SetAttrs } from './attrs';
import type { Cred } from './backend';
import { BackendError } from './errors';

/**
 * POSIX ownership rules the kernel would apply if the gateway ran as the caller. It runs as
 * root, so for calls that carry a Cred (create-type calls and SETATTR) we apply them here.
 */

export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;

/** BSD group semantics of a set-group-ID directory: new entries take the directory's group. */
export function ownerForNew(dir: BigIntStats, cred: Cred): { uid: number; gid: number } {
  const sgid = (Number(dir.mode) & S_ISGID) !== 0;
  return { uid: cred.uid, gid: sgid ? Number(dir.gid) : cred.gid };
}

/**
 * The permission bits a new object gets: exactly what the client asked (no umask: NFS
 * clients apply their own), plus set-group-ID on a directory made in a set-group-ID directory,
 * minus set-group-ID on a file whose group the (non-root) creator is not in.
 */
export function modeForNew(mode: number, isDir: boolean, dir: BigIntStats, gid: number, cred: Cred): number {
  let m = mode & 0o7777;
  if (isDir && (Number(dir.mode) & S_ISGID) !== 0) m |= S_ISGID;
  if (!isDir && cred.uid !== 0 && !inGroup(cred, gid)) m &= ~S_ISGID;
  return m;
}

/** chmod by a non-root caller drops set-group-ID on a non-directory whose group it is not in. */
export function modeForChmod(a: Pick<Attrs, 'type' | 'gid'>, mode: number, cred: Cred): number {
  let m = mode & 0o7777;
  if (cred.uid !== 0 && a.type !== FileType.DIR && !inGroup(cred, a.gid)) m &= ~S_ISGID;
  return m;
}

/**
 * May `cred` apply `set` to an object with attributes `a`? Throws before anything changes:
 * - owner (uid): root only (EPERM);
 * - group: root, or the owner to a group they belong to (EPERM);
 * - mode and explicit times: root or the owner (EPERM);
 * - times to server time: root, the owner, or anyone with write permission (EACCES);
 * - size: write permission, or the owner — knfsd's owner override, because the client already
 *   checked access when it opened the file (EACCES).
 */
export function checkSetattr(a: Attrs, set: SetAttrs, cred: Cred): void {
  if (cred.uid === 0) return;
  const owner = cred.uid === a.uid;
  const writable = rwxFor(a, cred).w;
  if (set.uid !== undefined && set.uid !== a.uid)
    throw new BackendError('EPERM', 'only root may change the owner');
  if (set.gid !== undefined && set.gid !== a.gid && !(owner && inGroup(cred, set.gid))) {
    throw new BackendError('EPERM', 'group change not permitted');
  }
  if (set.mode !== undefined && !owner) throw new BackendError('EPERM', 'only the owner may change the mode');
  const explicit = (t: SetAttrs['atime']) => t !== undefined && t !== 'server';
  if ((explicit(set.atime) || explicit(set.mtime)) && !owner) {
    throw new BackendError('EPERM', 'only the owner may set explicit times');
  }
  if ((set.atime === 'server' || set.mtime === 'server') && !owner && !writable) {
    throw new BackendError('EACCES', 'no write permission to touch times');
  }
  if (set.size !== undefined && !owner && !writable) throw new BackendError('EACCES', 'no write permission');
}
