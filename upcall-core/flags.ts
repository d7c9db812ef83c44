/**
 * Upcall flags, with the bit values of GlusterFS `upcall-utils.h` so events can be compared
 * with (and bridged to) a GlusterFS peer one to one.
 */
export const UpcallFlags = {
  NLINK: 0x001,
  MODE: 0x002,
  OWN: 0x004,
  SIZE: 0x008,
  TIMES: 0x010,
  /** atime only: never notified alone (rule 3). */
  ATIME: 0x020,
  PERM: 0x040,
  RENAME: 0x080,
  FORGET: 0x100,
  PARENT_TIMES: 0x200,
  XATTR: 0x400,
  XATTR_RM: 0x800,
  EXPLICIT_LOOKUP: 0x1000,
  INVAL_ATTR: 0x2000,
} as const;

export type UpcallFlagName = keyof typeof UpcallFlags;

/** Every defined bit; anything outside it is refused by `change()`. */
export const ALL_FLAGS = Object.values(UpcallFlags).reduce((a, b) => a | b, 0);

const NAMES = Object.entries(UpcallFlags) as [UpcallFlagName, number][];

/** `flagNames(0x18)` → `['SIZE', 'TIMES']`, for logs and metrics labels. */
export function flagNames(flags: number): UpcallFlagName[] {
  const out: UpcallFlagName[] = [];
  for (const [name, bit] of NAMES) if (flags & bit) out.push(name);
  return out;
}

/** The flags that concern attributes an adapter caches for the inode itself. */
export const ATTR_FLAGS =
  UpcallFlags.NLINK |
  UpcallFlags.MODE |
  UpcallFlags.OWN |
  UpcallFlags.SIZE |
  UpcallFlags.TIMES |
  UpcallFlags.PERM |
  UpcallFlags.INVAL_ATTR;
