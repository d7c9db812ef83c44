import type { XdrReader, XdrWriter } from '../../rpc/types';

const TWO_32 = 0x1_0000_0000;

/**
 * A non-negative JS number (≤ 2^53) as an XDR uint64 without a BigInt round trip: sizes and
 * counters go out on every GETATTR, the hot path.
 */
export function writeU64Number(w: XdrWriter, n: number): void {
  const v = Math.max(n, 0);
  w.u32(Math.floor(v / TWO_32) >>> 0).u32(v >>> 0);
}

/** An XDR uint64 as a number; values past 2^53 come back as Infinity so callers can refuse them. */
export function readU64Number(r: XdrReader): number {
  const hi = r.u32();
  const lo = r.u32();
  const n = hi * TWO_32 + lo;
  return n > Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : n;
}
