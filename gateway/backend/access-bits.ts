import { type Attrs, FileType } from './attrs';
import type { Cred } from './backend';

/**
 * ACCESS3 (RFC 1813 §3.3.4): which of the asked-for rights a caller has, from mode bits and
 * AUTH_SYS identity. The gateway process runs as root, so the kernel checks nothing for us.
 *
 * The bit → rwx map follows Linux knfsd (nfs3_regaccess / nfs3_diraccess): on a directory,
 * READ needs r, LOOKUP x, MODIFY / EXTEND / DELETE w and x; on anything else READ needs r,
 * MODIFY / EXTEND w, EXECUTE x, and LOOKUP / DELETE (rights over directory entries) are never
 * granted. uid 0 passes every r and w check and every x check except on a non-directory with
 * no x bit at all (POSIX: root may not execute a file nobody may execute).
 */

export const ACCESS3_READ = 0x01;
export const ACCESS3_LOOKUP = 0x02;
export const ACCESS3_MODIFY = 0x04;
export const ACCESS3_EXTEND = 0x08;
export const ACCESS3_DELETE = 0x10;
export const ACCESS3_EXECUTE = 0x20;
export const ACCESS3_ALL = 0x3f;

const WRITE_BITS = ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;

export interface Rwx {
  readonly r: boolean;
  readonly w: boolean;
  readonly x: boolean;
}

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || cred.gids.includes(gid);
}

/** POSIX class selection: owner bits if owner, else group bits if a member, else other bits. */
export function rwxFor(a: Pick<Attrs, 'type' | 'mode' | 'uid' | 'gid'>, cred: Cred): Rwx {
  if (cred.uid === 0) {
    const anyX = (a.mode & 0o111) !== 0;
    return { r: true, w: true, x: a.type === FileType.DIR || anyX };
  }
  const shift = cred.uid === a.uid ? 6 : inGroup(cred, a.gid) ? 3 : 0;
  const bits = (a.mode >> shift) & 7;
  return { r: (bits & 4) !== 0, w: (bits & 2) !== 0, x: (bits & 1) !== 0 };
}

/**
 * The rights granted, restricted to `wanted`. On a read-only export MODIFY / EXTEND / DELETE
 * are never granted, so clients fail early instead of at the first write.
 */
export function grantedAccess(
  a: Pick<Attrs, 'type' | 'mode' | 'uid' | 'gid'>,
  cred: Cred,
  wanted: number,
  readOnly = false,
): number {
  const { r, w, x } = rwxFor(a, cred);
  let granted = 0;
  if (r) granted |= ACCESS3_READ;
  if (a.type === FileType.DIR) {
    if (x) granted |= ACCESS3_LOOKUP;
    if (w && x) granted |= ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;
  } else {
    if (w) granted |= ACCESS3_MODIFY | ACCESS3_EXTEND;
    if (x) granted |= ACCESS3_EXECUTE;
  }
  if (readOnly) granted &= ~WRITE_BITS;
  return granted & wanted;
}
