import type { FileHandle } from 'node:fs/promises';
import type { Ino } from './attrs';

/**
 * A small LRU of open descriptors, keyed by inode. NFS reads and writes arrive as many small
 * calls on one file; opening, checking and closing per 4 KiB call costs more than the I/O.
 * Directories are cached too: they anchor every by-name call (see confine.ts).
 *
 * A descriptor is pinned while a call uses it and is closed only when unpinned: when evicted
 * (more than `max` open), idle for `idleMs`, or forgotten (the object was removed).
 */

export type FdKind = 'file' | 'dir';

export interface FdLease {
  readonly fh: FileHandle;
  readonly kind: FdKind;
  readonly writable: boolean;
  release(): void;
}

export interface Opened {
  readonly fh: FileHandle;
  readonly writable: boolean;
}

interface Slot {
  readonly ino: Ino;
  readonly fh: FileHandle;
  readonly kind: FdKind;
  readonly writable: boolean;
  pins: number;
  lastUsed: number;
  retired: boolean;
}

export interface FdCacheOptions {
  readonly max?: number;
  readonly idleMs?: number;
  readonly now?: () => number;
  readonly onCloseError?: (err: unknown) => void;
}

export class FdCache {
  private readonly slots = new Map<Ino, Slot>();
  private readonly closing = new Set<Promise<void>>();
  private readonly max: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly onCloseError: (err: unknown) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: FdCacheOptions = {}) {
    this.max = Math.max(1, opts.max ?? 64);
    this.idleMs = opts.idleMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.onCloseError = opts.onCloseError ?? (() => {});
  }

  /** Descriptors held open right now (cached, plus retired ones still pinned). */
  get size(): number {
    return this.slots.size;
  }

  isOpen(ino: Ino): boolean {
    return this.slots.has(ino);
  }

  /**
   * A pinned descriptor for `ino`; `open` runs only when no suitable one is cached (a cached
   * read-only descriptor does not serve a write).
   */
  async acquire(ino: Ino, kind: FdKind, write: boolean, open: () => Promise<Opened>): Promise<FdLease> {
    const cached = this.slots.get(ino);
    if (cached && cached.kind === kind && (cached.writable || !write)) return this.pin(cached);
    const opened = await open();
    const raced = this.slots.get(ino);
    if (raced && raced !== cached && raced.kind === kind && (raced.writable || !write)) {
      this.closeFh(opened.fh);
      return this.pin(raced);
    }
    return this.pin(this.insert(ino, kind, opened));
  }

  /** A pinned cached descriptor of any kind, or undefined; never opens. */
  tryAcquire(ino: Ino): FdLease | undefined {
    const slot = this.slots.get(ino);
    return slot ? this.pin(slot) : undefined;
  }

  /**
   * Caches a descriptor just opened elsewhere (CREATE, MKDIR), replacing any cached one: the
   * fresh descriptor was verified a moment ago and is read-write.
   */
  adopt(ino: Ino, kind: FdKind, opened: Opened): void {
    this.insert(ino, kind, opened);
  }

  /** The object is gone or changed identity: close its descriptor once nobody uses it. */
  forget(ino: Ino): void {
    const slot = this.slots.get(ino);
    if (slot) this.retire(slot);
  }

  /** Closes everything (pinned descriptors close on release) and waits for the closes. */
  async closeAll(): Promise<void> {
    for (const slot of [...this.slots.values()]) this.retire(slot);
    this.stopTimer();
    await Promise.all([...this.closing]);
  }

  private insert(ino: Ino, kind: FdKind, opened: Opened): Slot {
    const old = this.slots.get(ino);
    if (old) this.retire(old);
    const slot: Slot = {
      ino,
      kind,
      fh: opened.fh,
      writable: opened.writable,
      pins: 0,
      lastUsed: this.now(),
      retired: false,
    };
    this.slots.set(ino, slot);
    // Never the newcomer: acquire pins it only after insert returns.
    this.evictOverflow(slot);
    this.startTimer();
    return slot;
  }

  private pin(slot: Slot): FdLease {
    slot.pins++;
    // Map order is recency order: move to the back.
    if (!slot.retired) {
      this.slots.delete(slot.ino);
      this.slots.set(slot.ino, slot);
    }
    let released = false;
    return {
      fh: slot.fh,
      kind: slot.kind,
      writable: slot.writable,
      release: () => {
        if (released) return;
        released = true;
        slot.pins--;
        slot.lastUsed = this.now();
        if (slot.retired && slot.pins === 0) this.closeFh(slot.fh);
        else this.evictOverflow();
      },
    };
  }

  private retire(slot: Slot): void {
    if (this.slots.get(slot.ino) === slot) this.slots.delete(slot.ino);
    if (slot.retired) return;
    slot.retired = true;
    if (slot.pins === 0) this.closeFh(slot.fh);
    if (this.slots.size === 0) this.stopTimer();
  }

  /** Closes least recently used unpinned descriptors down to `max` (over it while all are in use). */
  private evictOverflow(keep?: Slot): void {
    if (this.slots.size <= this.max) return;
    for (const slot of [...this.slots.values()]) {
      if (this.slots.size <= this.max) break;
      if (slot.pins === 0 && slot !== keep) this.retire(slot);
    }
  }

  /** Closes descriptors idle for `idleMs`; visible for tests with a fake clock. */
  sweep(): void {
    const now = this.now();
    for (const slot of [...this.slots.values()]) {
      if (slot.pins === 0 && now - slot.lastUsed >= this.idleMs) this.retire(slot);
    }
  }

  private closeFh(fh: FileHandle): void {
    const p = fh
      .close()
      .catch((err: unknown) => this.onCloseError(err))
      .finally(() => this.closing.delete(p));
    this.closing.add(p);
  }

  private startTimer(): void {
    if (this.timer || this.idleMs <= 0) return;
    this.timer = setInterval(() => this.sweep(), Math.max(50, this.idleMs / 2));
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
