import type { BigIntStats } from 'node:fs';
import type { Logger } from 'winston';
import type { Attrs, Ino } from './attrs';
import { attrsOf } from './attrs-of';
import type { DirSnapshots } from './dir-snapshots';
import { BackendError } from './errors';
import type { FdCache } from './fd-cache';
import type { InodeTable } from './inode-table';
import type { Locator } from './locator';

/**
 * What the operation files (create-ops, remove-ops, setattr-op, readdir-op, io-ops) share with
 * PosixBackend. Operations are plain functions over this context, so each concern sits in its
 * own small file and PosixBackend only wires them to the seam.
 */
export class OpsContext {
  constructor(
    readonly loc: Locator,
    readonly table: InodeTable,
    readonly fds: FdCache,
    readonly snapshots: DirSnapshots,
    readonly fsid: bigint,
    readonly readOnly: boolean,
    /** Largest READ served in one call; bounds the buffer allocated per call. */
    readonly maxIo: number,
    readonly log: Logger,
  ) {}

  attrs(st: BigIntStats): Attrs {
    return attrsOf(st, this.fsid);
  }

  /** Every modifying call starts here: a read-only export refuses with EROFS before any I/O. */
  assertWritable(op: string): void {
    if (this.readOnly) throw new BackendError('EROFS', `${op} on a read-only export`);
  }

  /** The object is gone: forget its path, close its descriptor, drop its listings. */
  forget(ino: Ino): void {
    this.table.forget(ino);
    this.fds.forget(ino);
    this.snapshots.drop(ino);
  }
}
