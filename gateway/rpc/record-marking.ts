/**
 * RFC 5531 §11: record marking on a byte stream. Each fragment starts with a 4-byte header: the
 * top bit says "last fragment of the record", the low 31 bits give the fragment's length.
 *
 * The decoder is pull-based (`push` chunks, `next()` records) so the server can stop taking
 * records when a connection has too many calls outstanding and leave the rest buffered — that
 * is what turns a full call table into TCP backpressure instead of an unbounded queue. Bounds
 * (record size, fragments per record) are checked on each fragment header, before the body
 * arrives or anything is allocated for it.
 */
import { RecordTooLargeError, TooManyFragmentsError } from './errors';
import type { XdrWriterImpl } from './xdr-writer';

/** RFC 5531 §11: the last-fragment bit of a record mark. */
export const LAST_FRAGMENT = 0x80000000;
/** RFC 5531 §11: a fragment holds at most 2^31-1 bytes. */
export const MAX_FRAGMENT_LENGTH = 0x7fffffff;

/** An NFS WRITE or READ of 1 MiB plus headers fits; anything bigger is refused. */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024 + 64 * 1024;
/** Real clients send one fragment per record; this only bounds the work per record. */
export const DEFAULT_MAX_FRAGMENTS = 256;

export interface RecordDecoderOptions {
  /** Largest record accepted, all fragments together (bytes). */
  readonly maxRecordSize?: number;
  /** Most fragments accepted in one record. */
  readonly maxFragments?: number;
}

const EMPTY = Buffer.alloc(0);

export class RecordDecoder {
  readonly maxRecordSize: number;
  readonly maxFragments: number;

  /** Received bytes not yet consumed: chunks[head] from `offset`, then the following chunks. */
  private chunks: Buffer[] = [];
  private head = 0;
  private offset = 0;
  private buffered = 0;

  /** Length of the fragment whose header was read, or -1 while waiting for a header. */
  private fragmentLength = -1;
  private lastFragment = false;
  private fragmentCount = 0;
  /** Bodies of the earlier fragments of the current record, and their total length. */
  private parts: Buffer[] = [];
  private partsLength = 0;

  constructor(options: RecordDecoderOptions = {}) {
    this.maxRecordSize = options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
    this.maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    if (!(this.maxRecordSize >= 0 && this.maxRecordSize <= MAX_FRAGMENT_LENGTH)) {
      throw new RangeError(`maxRecordSize must be in [0, 2^31), got ${this.maxRecordSize}`);
    }
    if (!(this.maxFragments >= 1))
      throw new RangeError(`maxFragments must be >= 1, got ${this.maxFragments}`);
  }

  /** Bytes received and not yet returned as part of a record. */
  get bufferedBytes(): number {
    return this.buffered + this.partsLength;
  }

  /** True when part of a record has arrived but not all of it (worth a line when a peer leaves). */
  get midRecord(): boolean {
    return this.bufferedBytes > 0 || this.fragmentLength >= 0;
  }

  /** Appends a chunk as received from the socket. The chunk is referenced, not copied. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete record, or null when more bytes are needed. A record inside one chunk
   * and one fragment is returned as a view of that chunk; otherwise it is assembled once.
   * Throws RecordTooLargeError / TooManyFragmentsError; the stream cannot be resynchronised
   * after that and the decoder must be dropped.
   */
  next(): Buffer | null {
    for (;;) {
      if (this.fragmentLength < 0) {
        if (this.buffered < 4) return null;
        const mark = this.readMark();
        const length = mark & MAX_FRAGMENT_LENGTH;
        this.lastFragment = mark >= LAST_FRAGMENT;
        this.fragmentCount++;
        if (this.fragmentCount > this.maxFragments) {
          throw new TooManyFragmentsError(this.fragmentCount, this.maxFragments);
        }
        if (this.partsLength + length > this.maxRecordSize) {
          throw new RecordTooLargeError(this.partsLength + length, this.maxRecordSize);
        }
        this.fragmentLength = length;
      }
      if (this.buffered < this.fragmentLength) return null;
      const body = this.take(this.fragmentLength);
      this.fragmentLength = -1;
      if (this.lastFragment && this.parts.length === 0) {
        this.fragmentCount = 0;
        return body;
      }
      if (body.length > 0) {
        this.parts.push(body);
        this.partsLength += body.length;
      }
      if (this.lastFragment) {
        const record = Buffer.concat(this.parts, this.partsLength);
        this.parts = [];
        this.partsLength = 0;
        this.fragmentCount = 0;
        return record;
      }
    }
  }

  /** Forgets everything buffered (the connection is gone). */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.offset = 0;
    this.buffered = 0;
    this.fragmentLength = -1;
    this.fragmentCount = 0;
    this.parts = [];
    this.partsLength = 0;
  }

  /** Reads a 4-byte big-endian mark, which may straddle chunks. */
  private readMark(): number {
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= 4) {
      const v = first.readUInt32BE(this.offset);
      this.consume(4);
      return v;
    }
    return this.take(4).readUInt32BE(0);
  }

  /** Removes `n` (<= buffered) bytes: a view when they sit in one chunk, else one copy. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      this.consume(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const count = Math.min(chunk.length - this.offset, n - filled);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.consume(count);
    }
    return out;
  }

  /** Advances past `n` bytes that are all in the head chunk. */
  private consume(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[this.head]!.length) {
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.offset = 0;
      if (this.head === this.chunks.length) {
        this.chunks.length = 0;
        this.head = 0;
      } else if (this.head >= 64) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}

/**
 * Starts a one-fragment record in `w`: reserves its mark and returns where it is. Write the
 * record's body straight after, then call `endRecord`: the body is written once, in place.
 */
export function beginRecord(w: XdrWriterImpl): number {
  const at = w.length;
  w.u32(0);
  return at;
}

/** RFC 5531 §11: fills in the mark reserved by `beginRecord` (last fragment, body length). */
export function endRecord(w: XdrWriterImpl, at: number): void {
  const length = w.length - at - 4;
  if (length > MAX_FRAGMENT_LENGTH) throw new RangeError(`record of ${length} bytes does not fit a fragment`);
  w.patchU32(at, (LAST_FRAGMENT | length) >>> 0);
}

/** A record mark for a last fragment of `length` bytes, to send before a body already built. */
export function recordMark(length: number): Buffer {
  if (!(length >= 0 && length <= MAX_FRAGMENT_LENGTH)) {
    throw new RangeError(`fragment length out of range: ${length}`);
  }
  const mark = Buffer.allocUnsafe(4);
  mark.writeUInt32BE((LAST_FRAGMENT | length) >>> 0, 0);
  return mark;
}
