import { UpcallFlags as F } from './flags';

/**
 * DESIGN.md's fop table as data: what each fop sends (GlusterFS), so the plugin does not
 * restate the rules and the tests can walk the table.
 */
export type ReadFop =
  | 'lookup'
  | 'getattr'
  | 'readlink'
  | 'read'
  | 'open'
  | 'access'
  | 'statfs'
  | 'readdir'
  | 'readdirplus'
  | 'getxattr'
  | 'listxattr';

export type ModifyFop =
  | 'write'
  | 'truncate'
  | 'fallocate'
  | 'discard'
  | 'zerofill'
  | 'setattr'
  | 'create'
  | 'mkdir'
  | 'mknod'
  | 'symlink'
  | 'unlink'
  | 'rmdir'
  | 'link'
  | 'rename'
  | 'setxattr'
  | 'removexattr';

export interface FopRule {
  /** Flags sent for the notified inode (for setattr, the most it can send; see setattrFlags). */
  readonly flags: number;
  /** Which inode is notified: the object itself, or its parent directory (creates). */
  readonly notifies: 'target' | 'parent';
}

export const READ_FOPS: readonly ReadFop[] = [
  'lookup',
  'getattr',
  'readlink',
  'read',
  'open',
  'access',
  'statfs',
  'readdir',
  'readdirplus',
  'getxattr',
  'listxattr',
];

const WRITE = { flags: F.SIZE | F.TIMES, notifies: 'target' } as const;
const CREATE = { flags: F.TIMES, notifies: 'parent' } as const;
const REMOVE = { flags: F.NLINK | F.TIMES | F.PARENT_TIMES, notifies: 'target' } as const;

export const FOP_RULES: Readonly<Record<ModifyFop, FopRule>> = {
  write: WRITE,
  truncate: WRITE,
  fallocate: WRITE,
  discard: WRITE,
  zerofill: WRITE,
  setattr: { flags: F.SIZE | F.TIMES | F.OWN | F.MODE | F.PERM | F.XATTR, notifies: 'target' },
  create: CREATE,
  mkdir: CREATE,
  mknod: CREATE,
  symlink: CREATE,
  unlink: REMOVE,
  rmdir: REMOVE,
  link: { flags: F.NLINK | F.TIMES | F.PARENT_TIMES, notifies: 'target' },
  rename: { flags: F.RENAME | F.PARENT_TIMES, notifies: 'target' },
  setxattr: { flags: F.XATTR, notifies: 'target' },
  removexattr: { flags: F.XATTR_RM, notifies: 'target' },
};

/** The attribute fields setattr can change, as seen before and after. */
export interface SetattrView {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
}

/**
 * Better than GlusterFS, which sends every setattr bit whatever changed: only the bits whose
 * fields really changed. Mode changes also carry PERM and XATTR (POSIX ACLs mirror mode bits,
 * as Gluster assumes); ownership changes carry PERM. An mtime change is TIMES; atime alone is
 * ATIME, which notifies nobody. Returns 0 when nothing changed.
 */
export function setattrFlags(before: SetattrView, after: SetattrView): number {
  let flags = 0;
  if (before.mode !== after.mode) flags |= F.MODE | F.PERM | F.XATTR;
  if (before.uid !== after.uid || before.gid !== after.gid) flags |= F.OWN | F.PERM;
  if (before.size !== after.size) flags |= F.SIZE | F.TIMES;
  if (before.mtimeMs !== after.mtimeMs) flags |= F.TIMES;
  if (flags === 0 && before.atimeMs !== after.atimeMs) flags = F.ATIME;
  return flags;
}
