/**
 * The slice of NDR (C706 chapter 14, MS-RPCE §2.2.5) that srvsvc needs, little-endian only:
 * 4-byte aligned u32 fields, unique pointers (a referent id, the pointee deferred to after the
 * enclosing structure), and conformant varying UTF-16 strings ([string] wchar_t*: max_count,
 * offset 0, actual_count counting the NUL, the characters, padding to 4). Alignment counts from
 * the start of the stub. The reader is bounded: anything past the end is a DcerpcError.
 */

export class NdrError extends Error {
  override readonly name = 'NdrError';
}

export class NdrWriter {
  private buf = Buffer.alloc(256);
  private at = 0;
  private nextReferent = 0x00020000;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  align(n: number): this {
    const pad = (n - (this.at % n)) % n;
    this.room(pad);
    this.buf.fill(0, this.at, this.at + pad);
    this.at += pad;
    return this;
  }

  u32(v: number): this {
    this.align(4).room(4);
    this.buf.writeUInt32LE(v >>> 0, this.at);
    this.at += 4;
    return this;
  }

  /** A non-null unique pointer's referent id (the pointee is written later, deferred). */
  referent(): this {
    this.u32(this.nextReferent);
    this.nextReferent += 4;
    return this;
  }

  /** A conformant varying NUL-terminated UTF-16 string (the pointee of a [string] wchar_t*). */
  string(s: string): this {
    const chars = Buffer.from(`${s}\0`, 'utf16le');
    const n = chars.length / 2;
    this.u32(n).u32(0).u32(n);
    this.room(chars.length);
    chars.copy(this.buf, this.at);
    this.at += chars.length;
    return this.align(4);
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

export class NdrReader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  align(n: number): this {
    this.at += (n - (this.at % n)) % n;
    return this;
  }

  u32(): number {
    this.align(4);
    if (this.at + 4 > this.buf.length) throw new NdrError('stub too short');
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  /** A conformant varying UTF-16 string, without its NUL. */
  string(): string {
    const max = this.u32();
    const offset = this.u32();
    const actual = this.u32();
    if (offset !== 0 || actual > max || this.at + actual * 2 > this.buf.length)
      throw new NdrError('malformed string');
    const s = this.buf.subarray(this.at, this.at + actual * 2).toString('utf16le');
    this.at += actual * 2;
    this.align(4);
    return s.replace(/\0+$/, '');
  }

  /** A unique pointer to a string: undefined when null. */
  uniqueString(): string | undefined {
    return this.u32() === 0 ? undefined : this.string();
  }
}
