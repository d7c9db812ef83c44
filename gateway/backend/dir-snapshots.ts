import { createHash } from 'node:crypto';
import type { Ino } from './attrs';

/**
 * READDIR cookies (RFC 1813 §3.3.16) that stay valid across pages, restarts and gateway heads.
 *
 * A listing is a snapshot: the directory's names, sorted, taken when a client starts at cookie
 * 0. Position p in it (1 = '.', 2 = '..', 3.. = the names) is the cookie of the p-th entry,
 * tagged with 31 bits of the snapshot's verifier: cookie = tag << 32 | p. A later page finds its
 * snapshot by tag, so a client keeps paging a consistent list while the directory changes.
 *
 * The verifier hashes the directory's mtime and ctime (ns) and the sorted names. mtime alone
 * is not enough: on Linux it comes from a coarse clock, so two creates in one tick keep it
 * the same; hashing the names catches that. Because the snapshot and its verifier derive only
 * from the directory's state, another head (or this one after a restart) rebuilds the same
 * snapshot and honours the same cookies; a cookie whose snapshot is neither retained nor the
 * directory's current one is refused (EBADCOOKIE).
 */

export interface Snapshot {
  readonly dir: Ino;
  readonly verifier: bigint;
  readonly tag: number;
  readonly names: readonly string[];
}

/** Positions of '.' and '..'; names start after them. */
export const DOT_POSITIONS = 2;

export function cookieOf(tag: number, position: number): bigint {
  return (BigInt(tag) << 32n) | BigInt(position);
}

export function splitCookie(cookie: bigint): { tag: number; position: number } {
  return { tag: Number((cookie >> 32n) & 0x7fffffffn), position: Number(cookie & 0xffffffffn) };
}

/** A cookie this scheme could have produced (31-bit tag, 32-bit position, nothing above). */
export function wellFormedCookie(cookie: bigint): boolean {
  return cookie >= 0n && cookie >> 63n === 0n;
}

export function makeSnapshot(dir: Ino, mtimeNs: bigint, ctimeNs: bigint, names: readonly string[]): Snapshot {
  const sorted = [...names].sort();
  const h = createHash('sha256');
  h.update(`${mtimeNs}:${ctimeNs}:${sorted.length}\0`);
  for (const n of sorted) h.update(`${n}\0`);
  const digest = h.digest();
  const verifier = digest.readBigUInt64BE(0);
  return { dir, verifier, tag: Number(verifier & 0x7fffffffn), names: sorted };
}

/**
 * Retained snapshots, least recently used first out, bounded by the total number of names
 * they hold (a 5,000-entry listing costs about 5,000 strings, not 5,000 stats).
 */
export class DirSnapshots {
  private readonly byKey = new Map<string, Snapshot>();
  private names = 0;

  constructor(private readonly maxNames = 200_000) {}

  get size(): number {
    return this.byKey.size;
  }

  remember(s: Snapshot): Snapshot {
    const key = keyOf(s.dir, s.tag);
    const old = this.byKey.get(key);
    if (old) {
      this.byKey.delete(key);
      this.names -= old.names.length;
    }
    this.byKey.set(key, s);
    this.names += s.names.length;
    for (const [k, v] of this.byKey) {
      if (this.names <= this.maxNames || v === s) break;
      this.byKey.delete(k);
      this.names -= v.names.length;
    }
    return s;
  }

  find(dir: Ino, tag: number): Snapshot | undefined {
    const key = keyOf(dir, tag);
    const s = this.byKey.get(key);
    if (s) {
      this.byKey.delete(key);
      this.byKey.set(key, s);
    }
    return s;
  }

  /** The directory is gone. */
  drop(dir: Ino): void {
    const prefix = `${dir}:`;
    for (const [k, v] of this.byKey) {
      if (k.startsWith(prefix)) {
        this.byKey.delete(k);
        this.names -= v.names.length;
      }
    }
  }
}

function keyOf(dir: Ino, tag: number): string {
  return `${dir}:${tag}`;
}
