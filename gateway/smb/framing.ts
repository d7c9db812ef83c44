/**
 * Direct TCP transport framing (MS-SMB2 §2.1): every SMB2 message (or compound chain) travels
 * behind a 4-byte header — one zero byte, then the length of what follows as a 24-bit
 * big-endian number. The decoder checks the length against `maxFrame` BEFORE it keeps any of
 * the frame's bytes, so a client cannot make us allocate more than one legal frame.
 *
 * A NetBIOS session keep-alive (type 0x85, length 0; RFC 1002 §4.3.7) is skipped: some clients
 * send it on port 445 too. Any other leading byte is a framing error and ends the connection.
 */

export const FRAME_HEADER_SIZE = 4;
/** The largest length the 24-bit field can carry. */
export const MAX_STREAM_PROTOCOL_LENGTH = 0xffffff;

const SESSION_MESSAGE = 0x00;
const SESSION_KEEP_ALIVE = 0x85;

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private have = 0;
  /** Length of the frame being collected, once its header is read; -1 while waiting for one. */
  private want = -1;

  constructor(readonly maxFrame: number) {
    if (!(maxFrame >= 64 && maxFrame <= MAX_STREAM_PROTOCOL_LENGTH))
      throw new RangeError(`maxFrame must be in 64..${MAX_STREAM_PROTOCOL_LENGTH}`);
  }

  /** Bytes held that are not yet a whole frame. */
  get bufferedBytes(): number {
    return this.have;
  }

  /** True while part of a frame (or of its header) has arrived and the rest has not. */
  get midFrame(): boolean {
    return this.have > 0;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.have += chunk.length;
  }

  /** The next whole frame's payload, or undefined until one is complete. Throws FramingError. */
  next(): Buffer | undefined {
    for (;;) {
      if (this.want < 0) {
        if (this.have < FRAME_HEADER_SIZE) return undefined;
        const head = this.take(FRAME_HEADER_SIZE);
        const type = head[0]!;
        const length = head.readUIntBE(1, 3);
        if (type === SESSION_KEEP_ALIVE && length === 0) continue;
        if (type !== SESSION_MESSAGE)
          throw new FramingError(`not a Direct TCP frame (first byte 0x${type.toString(16)})`);
        if (length > this.maxFrame)
          throw new FramingError(`frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit`);
        if (length === 0) continue;
        this.want = length;
      }
      if (this.have < this.want) return undefined;
      const frame = this.take(this.want);
      this.want = -1;
      return frame;
    }
  }

  /** Removes and returns the first `n` buffered bytes (n ≤ have), copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, part);
        filled += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.have -= n;
    return out;
  }
}

/** The 4-byte Direct TCP header for a payload of `length` bytes. */
export function frameHeader(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_STREAM_PROTOCOL_LENGTH)
    throw new RangeError(`frame payload of ${length} bytes cannot be framed`);
  const h = Buffer.alloc(FRAME_HEADER_SIZE);
  h.writeUIntBE(length, 1, 3);
  return h;
}
