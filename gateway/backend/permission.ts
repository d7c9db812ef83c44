import { rwxFor } from './access-bits';
import { type Attrs, FileType } from './attrs';
import type { Cred } from './backend';
import { BackendError } from './errors';

/**
 * POSIX permission checks for the caller's identity. The gateway runs as root, so the kernel
 * checks nothing on its behalf: without these, root squash has no teeth and any AUTH_SYS
 * caller could remove anything. The rules are the kernel's (and Linux knfsd's, which runs
 * calls with the client's fsuid):
 * - searching a directory (LOOKUP) needs x on it; listing it (READDIR) needs r;
 * - adding or removing entries needs w and x on the directory;
 * - in a sticky directory only the entry's owner, the directory's owner or root may remove or
 *   replace an entry — EACCES as POSIX lists it (Linux says EPERM);
 * - moving a directory to another parent needs w on the directory itself (its '..' changes);
 * - READ needs r, or x (knfsd lets a client read what it may execute), or ownership; WRITE
 *   needs w or ownership — knfsd's owner override, because the client checked at open();
 * - LINK of someone else's file needs read and write access to a regular non-set-ID file
 *   (Linux fs.protected_hardlinks), else EPERM.
 * uid 0 (unsquashed root) passes every check. Each function throws BackendError or returns.
 */

type Perm = Pick<Attrs, 'type' | 'mode' | 'uid' | 'gid'>;

const S_ISVTX = 0o1000;

function deny(code: 'EACCES' | 'EPERM', what: string): never {
  throw new BackendError(code, `permission denied: ${what}`);
}

export function checkSearch(dir: Perm, cred: Cred): void {
  if (!rwxFor(dir, cred).x) deny('EACCES', 'no search (x) permission on the directory');
}

export function checkList(dir: Perm, cred: Cred): void {
  if (!rwxFor(dir, cred).r) deny('EACCES', 'no read permission on the directory');
}

export function canAddEntry(dir: Perm, cred: Cred): boolean {
  const p = rwxFor(dir, cred);
  return p.w && p.x;
}

/** Adding an entry (CREATE, MKDIR, SYMLINK, MKNOD, LINK, the target side of RENAME). */
export function checkAddEntry(dir: Perm, cred: Cred): void {
  if (!canAddEntry(dir, cred)) deny('EACCES', 'no write and search permission on the directory');
}

/** Removing or replacing `target` in `dir` (REMOVE, RMDIR, both sides of RENAME). */
export function checkRemoveEntry(dir: Perm, target: Perm, cred: Cred): void {
  checkAddEntry(dir, cred);
  if (cred.uid !== 0 && (dir.mode & S_ISVTX) !== 0 && cred.uid !== target.uid && cred.uid !== dir.uid) {
    deny('EACCES', 'sticky directory: not the owner of the entry or the directory');
  }
}

/** A directory moving to another parent rewrites its '..': it must be writable. */
export function checkMoveDirAcross(moved: Perm, cred: Cred): void {
  if (moved.type === FileType.DIR && !rwxFor(moved, cred).w)
    deny('EACCES', 'no write permission on the moved directory');
}

export function checkRead(a: Perm, cred: Cred): void {
  if (cred.uid === a.uid) return;
  const p = rwxFor(a, cred);
  if (!p.r && !p.x) deny('EACCES', 'no read permission');
}

export function checkWrite(a: Perm, cred: Cred): void {
  if (cred.uid === a.uid) return;
  if (!rwxFor(a, cred).w) deny('EACCES', 'no write permission');
}

export function checkHardlink(src: Perm, cred: Cred): void {
  if (cred.uid === 0 || cred.uid === src.uid) return;
  const p = rwxFor(src, cred);
  const setId = (src.mode & 0o4000) !== 0 || (src.mode & 0o2010) === 0o2010;
  if (src.type !== FileType.REG || setId || !p.r || !p.w)
    deny('EPERM', 'hard link to a file the caller does not own');
}
