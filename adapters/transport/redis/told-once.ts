import { type ChangeEvent, UpcallFlags as F } from '../../../upcall-core';

/**
 * Flags whose eviction is always the same (the inode's attributes and listing, see
 * adapters/eviction-plan.ts), whatever else the change says: a client told of them once has
 * nothing left to evict for them until it reads again.
 */
export const TOLD_ONCE_FLAGS = F.NLINK | F.MODE | F.OWN | F.SIZE | F.TIMES | F.PERM | F.ATIME;

/**
 * The flags under which the store may leave `ev` out for a client already told of them since
 * its last access (CHANGE_LUA's `told`), or undefined when `ev` must always be delivered: it
 * names an entry (what it evicts depends on the name) or carries other flags (xattrs, forget…).
 */
export function toldOnceFlags(
  ev: Pick<ChangeEvent, 'flags' | 'name' | 'parent' | 'oldParent'>,
): number | undefined {
  if (ev.name !== undefined || ev.parent !== undefined || ev.oldParent !== undefined) return undefined;
  return (ev.flags & ~TOLD_ONCE_FLAGS) === 0 ? ev.flags : undefined;
}
