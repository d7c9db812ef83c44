/**
 * XDR decoding (RFC 4506) over one record. Every read checks the bounds first and throws
 * XdrError, so a procedure's `decode` never reads past its record and the server can answer
 * GARBAGE_ARGS. Variable-length items are checked against their declared maximum before the
 * bytes are touched.
 *
 * Opaque and fixed-opaque results are views (`subarray`) into the record, not copies: a WRITE's
 * payload is never copied on the way in. Copy with `Buffer.from(b)` if you keep one for long.
 */
import { XdrError } from './errors';
import type { XdrReader } from './types';

const EMPTY = Buffer.alloc(0);

/** RFC 4506 §3: items are padded with 0–3 bytes to a multiple of four. */
function padded(len: number): number {
  return len + ((4 - (len & 3)) & 3);
}

export class XdrReaderImpl implements XdrReader {
  private buf: Buffer;
  private pos: number;
  private end: number;

  constructor(buf: Buffer = EMPTY, offset = 0, end = buf.length) {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    this.checkRange(buf, offset, end);
  }

  /** Points the reader at another record; the server reuses one reader per connection. */
  reset(buf: Buffer, offset = 0, end = buf.length): this {
    this.checkRange(buf, offset, end);
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Offset of the next byte to read, within the buffer given to the constructor or reset. */
  get position(): number {
    return this.pos;
  }

  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.fail('u32', 4);
    const b = this.buf;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  i32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.fail('i32', 4);
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  u64(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.fail('u64', 8);
    this.pos = p + 8;
    return this.buf.readBigUInt64BE(p);
  }

  i64(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.fail('i64', 8);
    this.pos = p + 8;
    return this.buf.readBigInt64BE(p);
  }

  /** RFC 4506 §4.4: bool is an enum of exactly FALSE (0) and TRUE (1); anything else is invalid. */
  bool(): boolean {
    const v = this.u32();
    if (v > 1) throw new XdrError(`bool must be 0 or 1, got ${v} at offset ${this.pos - 4}`);
    return v === 1;
  }

  /** RFC 4506 §4.10: opaque<max>; the length is checked against `max` before anything else. */
  opaque(max: number): Buffer {
    const len = this.u32();
    if (len > max) throw new XdrError(`opaque of ${len} bytes exceeds its maximum of ${max}`);
    return this.take(len, 'opaque');
  }

  /** RFC 4506 §4.9: opaque[n], padded to four bytes. */
  fixedOpaque(n: number): Buffer {
    if (n >>> 0 !== n) throw new RangeError(`fixed opaque length must be a u32, got ${n}`);
    return this.take(n, 'fixed opaque');
  }

  /** RFC 4506 §4.11: string<max>, decoded as UTF-8 (invalid sequences become U+FFFD). */
  string(max: number): string {
    const len = this.u32();
    if (len > max) throw new XdrError(`string of ${len} bytes exceeds its maximum of ${max}`);
    const p = this.pos;
    const next = p + padded(len);
    if (next > this.end) this.fail('string', padded(len));
    this.pos = next;
    return this.buf.toString('utf8', p, p + len);
  }

  /** RFC 4506 §4.19: optional-data, a bool then the item when TRUE. */
  optional<T>(read: (r: XdrReader) => T): T | undefined {
    return this.bool() ? read(this) : undefined;
  }

  /** `len` bytes plus their padding (padding content is not checked, as Linux and libtirpc do). */
  private take(len: number, what: string): Buffer {
    const p = this.pos;
    const next = p + padded(len);
    if (next > this.end) this.fail(what, padded(len));
    this.pos = next;
    return this.buf.subarray(p, p + len);
  }

  private fail(what: string, need: number): never {
    throw new XdrError(`${what} needs ${need} bytes at offset ${this.pos}, only ${this.end - this.pos} left`);
  }

  private checkRange(buf: Buffer, offset: number, end: number): void {
    if (!(offset >= 0 && offset <= end && end <= buf.length)) {
      throw new RangeError(`bad reader range [${offset}, ${end}) over ${buf.length} bytes`);
    }
  }
}

/** A reader over `buf[offset, end)`. */
export function createXdrReader(buf: Buffer, offset = 0, end = buf.length): XdrReaderImpl {
  return new XdrReaderImpl(buf, offset, end);
}
