/**
 * XDR encoding (RFC 4506) into a growable buffer. It sits on the hot path (every reply goes
 * through it), so: one preallocated buffer, doubled only when a write does not fit, byte stores
 * instead of Buffer's checked write helpers, no closures and no allocation per item.
 *
 * `finish()` hands out a view of what was written since the previous `finish()` and carries on
 * writing *after* it, never over it: the server keeps one writer per connection, appends every
 * reply of a tick to it (record marks included) and passes the views to `socket.write` without
 * copying. When the rest of the buffer is too small, a new buffer is taken and the old one stays
 * alive only as long as the views handed out still reference it.
 */
import type { XdrWriter } from './types';

/** RFC 4506 §3: items are padded with 0–3 zero bytes to a multiple of four. */
function padded(len: number): number {
  return len + ((4 - (len & 3)) & 3);
}

const TWO_32 = 0x1_0000_0000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_U64 = 2n ** 64n - 1n;
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

export class XdrWriterImpl implements XdrWriter {
  private buf: Buffer;
  /** Start of the bytes not yet handed out by finish(). */
  private start = 0;
  private pos = 0;
  private readonly initialCapacity: number;

  constructor(initialCapacity = 1024) {
    if (!(initialCapacity >= 16 && Number.isInteger(initialCapacity))) {
      throw new RangeError(`initial capacity must be an integer >= 16, got ${initialCapacity}`);
    }
    this.initialCapacity = initialCapacity;
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written since the last finish(). */
  get length(): number {
    return this.pos - this.start;
  }

  u32(v: number): this {
    if (v >>> 0 !== v) throw new RangeError(`u32 out of range: ${v}`);
    let p = this.pos;
    if (p + 4 > this.buf.length) p = this.grow(4);
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }

  i32(v: number): this {
    if ((v | 0) !== v) throw new RangeError(`i32 out of range: ${v}`);
    let p = this.pos;
    if (p + 4 > this.buf.length) p = this.grow(4);
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }

  /** RFC 4506 §4.5: unsigned hyper. Throws RangeError outside [0, 2^64). */
  u64(v: bigint): this {
    // Most values (sizes, file ids, times) fit in 53 bits: split them as numbers, which is
    // several times cheaper than BigInt shifts and masks.
    if (v >= 0n && v <= MAX_SAFE) return this.u64Number(Number(v));
    if (v < 0n || v > MAX_U64) throw new RangeError(`u64 out of range: ${v}`);
    let p = this.pos;
    if (p + 8 > this.buf.length) p = this.grow(8);
    this.buf.writeBigUInt64BE(v, p);
    this.pos = p + 8;
    return this;
  }

  /** RFC 4506 §4.5: hyper. Throws RangeError outside [-2^63, 2^63). */
  i64(v: bigint): this {
    if (v < MIN_I64 || v > MAX_I64) throw new RangeError(`i64 out of range: ${v}`);
    let p = this.pos;
    if (p + 8 > this.buf.length) p = this.grow(8);
    this.buf.writeBigInt64BE(v, p);
    this.pos = p + 8;
    return this;
  }

  /** An unsigned hyper from a safe integer, without going through a BigInt (sizes, file ids). */
  u64Number(v: number): this {
    if (!(Number.isSafeInteger(v) && v >= 0)) throw new RangeError(`u64 number out of range: ${v}`);
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    let p = this.pos;
    if (p + 8 > this.buf.length) p = this.grow(8);
    const b = this.buf;
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
    return this;
  }

  bool(v: boolean): this {
    return this.u32(v ? 1 : 0);
  }

  /** RFC 4506 §4.10: opaque<>: length, bytes, zero padding. The caller enforces the maximum. */
  opaque(b: Uint8Array): this {
    const len = b.length;
    const total = 4 + padded(len);
    let p = this.pos;
    if (p + total > this.buf.length) p = this.grow(total);
    const buf = this.buf;
    buf[p] = len >>> 24;
    buf[p + 1] = len >>> 16;
    buf[p + 2] = len >>> 8;
    buf[p + 3] = len;
    this.copyPadded(b, p + 4, len, p + total);
    return this;
  }

  /** RFC 4506 §4.9: opaque[n]: the bytes and zero padding, no length. */
  fixedOpaque(b: Uint8Array): this {
    const len = b.length;
    const total = padded(len);
    let p = this.pos;
    if (p + total > this.buf.length) p = this.grow(total);
    this.copyPadded(b, p, len, p + total);
    return this;
  }

  /** RFC 4506 §4.11: string<>: UTF-8 bytes as an opaque. */
  string(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    const total = 4 + padded(len);
    let p = this.pos;
    if (p + total > this.buf.length) p = this.grow(total);
    const b = this.buf;
    b[p] = len >>> 24;
    b[p + 1] = len >>> 16;
    b[p + 2] = len >>> 8;
    b[p + 3] = len;
    if (len > 0) b.write(s, p + 4, len, 'utf8');
    for (let i = p + 4 + len; i < p + total; i++) b[i] = 0;
    this.pos = p + total;
    return this;
  }

  /**
   * The bytes written since the previous finish(), as a view (no copy). Later writes go after
   * them, so the view stays valid; pass it to `socket.write` as is.
   */
  finish(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** Drops what was written after `length` (a value of `this.length` taken earlier). */
  truncate(length: number): void {
    if (!(length >= 0 && length <= this.pos - this.start)) {
      throw new RangeError(`cannot truncate to ${length} of ${this.pos - this.start}`);
    }
    this.pos = this.start + length;
  }

  /** Overwrites a u32 already written at `at` (an earlier `this.length`): record marks. */
  patchU32(at: number, v: number): void {
    if (!(at >= 0 && at + 4 <= this.pos - this.start)) throw new RangeError(`cannot patch at ${at}`);
    this.buf.writeUInt32BE(v, this.start + at);
  }

  private copyPadded(b: Uint8Array, at: number, len: number, end: number): void {
    const buf = this.buf;
    if (len <= 16) {
      // A loop beats set()'s call overhead for file handles, verifiers and other small items.
      for (let i = 0; i < len; i++) buf[at + i] = b[i]!;
    } else {
      buf.set(b, at);
    }
    for (let i = at + len; i < end; i++) buf[i] = 0;
    this.pos = end;
  }

  /**
   * Makes room for `n` more bytes and returns the new write position. The unfinished bytes move
   * to a new buffer; bytes already handed out by finish() stay where they are.
   */
  private grow(n: number): number {
    const used = this.pos - this.start;
    let cap = this.initialCapacity;
    while (cap < used + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    if (used > 0) this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
    return used;
  }
}

/** A writer whose first buffer holds `initialCapacity` bytes. */
export function createXdrWriter(initialCapacity?: number): XdrWriterImpl {
  return new XdrWriterImpl(initialCapacity);
}
