import { UpcallFlags } from './flags';

export const XATTR_FLAGS = UpcallFlags.XATTR | UpcallFlags.XATTR_RM;

/**
 * Rule 7 for one target: which of a change's xattr names it registered an interest in
 * (`match`), and what is left of the event. A change that is only about xattrs and matches
 * none of the target's patterns is no news for it (undefined); a mixed change loses its xattr
 * bits and names but still goes. Callers check `flags & XATTR_FLAGS` first, so changes without
 * xattrs pay nothing.
 */
export function filterXattrs(
  flags: number,
  names: readonly string[] | undefined,
  match: (names: readonly string[]) => string[],
): { flags: number; xattrs: readonly string[] | undefined } | undefined {
  const xattrs = match(names ?? []);
  if (xattrs.length > 0) return { flags, xattrs };
  if ((flags & ~XATTR_FLAGS) === 0) return undefined;
  return { flags: flags & ~XATTR_FLAGS, xattrs: undefined };
}
