import type { Ino } from '../../gateway/backend/attrs';
import { inodeKeyOf, inoOfKey } from '../../gateway/backend/inode-key';
import type { ClientId, Invalidation, UpcallCore } from '../../upcall-core';
import { UpcallFlags as F } from '../../upcall-core';

/** What the feed needs of the SMB server's caching table (gateway/smb/leases/caching-table.ts). */
export interface LeaseBreaker {
  /** The file changed elsewhere: break others' read/write caching (and handle caching when `nameGone`). */
  breakForChange(ino: Ino, nameGone: boolean): void;
  /** Changes may have been lost: break every holder's read and write caching. */
  breakAll(): void;
  /** Inodes an SMB client caches now. */
  cachedInos(): Ino[];
}

/** Flags that make what an SMB client caches of a file stale (DESIGN.md: "break leases"). */
const DATA_OR_ATTRS = F.SIZE | F.TIMES | F.MODE | F.OWN | F.PERM | F.NLINK | F.INVAL_ATTR;
/** Flags that make a cached handle stale too: the name went. */
const NAME_GONE = F.FORGET | F.RENAME | F.NLINK;

/**
 * Upcalls → oplock and lease breaks (DESIGN.md's "SMB clients" column): a change made through
 * NFS, another head or the backend watcher to a file an SMB client caches breaks that caching,
 * exactly as a conflicting SMB write would; a flush-all breaks everything. The SMB server's
 * own changes never come back from the core (the originator is not notified), and are broken
 * by the SMB write path itself, so no client is broken twice — nor, for a lease, for its own
 * write. While a file is cached, the holder touches it with the core every half timeout, so
 * upcalls for it keep coming however long the client holds its lease.
 */
export class LeaseFeed {
  private table?: LeaseBreaker;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly core: UpcallCore,
    private readonly client: ClientId,
  ) {
    const halfTimeoutMs = (core.options['features.cache-invalidation-timeout'] * 1000) / 2;
    this.timer = setInterval(() => this.keepAlive(), Math.max(1000, halfTimeoutMs));
    this.timer.unref();
  }

  bind(table: LeaseBreaker): void {
    this.table = table;
  }

  readonly onInvalidation = (ev: Invalidation): void => {
    if (!this.table) return;
    if (ev.kind !== 'inode') {
      this.table.breakAll();
      return;
    }
    if (ev.name !== undefined && ev.parent === undefined) return; // an entry added to a directory
    if (!(ev.flags & (DATA_OR_ATTRS | NAME_GONE))) return;
    this.table.breakForChange(inoOfKey(ev.inode), (ev.flags & NAME_GONE) !== 0);
  };

  close(): void {
    clearInterval(this.timer);
  }

  private keepAlive(): void {
    for (const ino of this.table?.cachedInos() ?? []) this.core.access(this.client, inodeKeyOf(ino));
  }
}
