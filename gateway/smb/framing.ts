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
/** Frames from this size on are assembled as they arrive (see FrameDecoder.partial). */
const EAGER_FRAME = 1024 * 1024;
const SESSION_KEEP_ALIVE = 0x85;

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private have = 0;
  /** Length of the frame being collected, once its header is read; -1 while waiting for one. */
  private want = -1;
  /**
   * A large frame being assembled as its bytes arrive (`filled` of `want` so far): each chunk is
   * copied in at once and let go, and the frame is ready for dispatch the moment its last byte
   * lands instead of after one 8 MiB copy then.
   */
  private partial: Buffer | undefined;
  private filled = 0;

  constructor(readonly maxFrame: number) {
    if (!(maxFrame >= 64 && maxFrame <= MAX_STREAM_PROTOCOL_LENGTH))
      throw new RangeError(`maxFrame must be in 64..${MAX_STREAM_PROTOCOL_LENGTH}`);
  }

  /** Bytes held that are not yet a whole frame. */
  get bufferedBytes(): number {
    return this.have + this.filled;
  }

  /** True while part of a frame (or of its header) has arrived and the rest has not. */
  get midFrame(): boolean {
    return this.have + this.filled > 0;
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
      if (this.want >= EAGER_FRAME && (this.partial || this.have < this.want)) {
        this.fill();
        if (this.filled < this.want) return undefined;
        const frame = this.partial!;
        this.partial = undefined;
        this.filled = 0;
        this.want = -1;
        return frame;
      }
      if (this.have < this.want) return undefined;
      const frame = this.take(this.want);
      this.want = -1;
      return frame;
    }
  }

  /** Moves buffered bytes of the current large frame into `partial`. */
  private fill(): void {
    this.partial ??= largeBuffers.lend(this.want) ?? Buffer.allocUnsafe(this.want);
    while (this.filled < this.want && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, this.want - this.filled);
      c.copy(this.partial, this.filled, 0, part);
      this.filled += part;
      this.have -= part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
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
      out = largeBuffers.lend(n) ?? Buffer.allocUnsafe(n);
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

/**
 * Outgoing buffers with room in front. A response is built into an ArrayBuffer of its own with
 * free bytes before the payload, so the SMB2 header and then the 4-byte Direct TCP header are
 * written into those bytes instead of copying a (up to 8 MiB) body into a new frame. Only
 * ArrayBuffers made here are widened: the bytes in front of a view of anything else may belong
 * to someone else (Node's shared 8 KiB pool).
 */
const ownedByOneFrame = new WeakSet<ArrayBufferLike>();

/** `length` bytes with `room` free bytes in front (uninitialised unless `zeroed`). */
export function allocOutgoing(room: number, length: number, zeroed = false): Buffer {
  const lent = zeroed ? undefined : largeBuffers.lend(room + length);
  const whole = lent ?? (zeroed ? Buffer.alloc(room + length) : Buffer.allocUnsafeSlow(room + length));
  ownedByOneFrame.add(whole.buffer);
  return whole.subarray(room, room + length);
}

/** The view of `b` grown by `room` bytes in front, when `b` came from allocOutgoing with that room. */
export function withRoom(b: Buffer, room: number): Buffer | undefined {
  if (!ownedByOneFrame.has(b.buffer) || b.byteOffset < room) return undefined;
  return Buffer.from(b.buffer, b.byteOffset - room, b.length + room);
}

/** Payloads up to this size are copied behind their header when they have no room: one write. */
const COPY_SMALL = 64 * 1024;

/**
 * What to write to the socket for one payload: the whole frame as one buffer (header written in
 * the room in front, or small payloads copied behind it), else header and payload apart.
 */
export function frameBuffers(payload: Buffer): Buffer[] {
  const framed = withRoom(payload, FRAME_HEADER_SIZE);
  const head = frameHeader(payload.length);
  if (framed) {
    head.copy(framed, 0);
    return [framed];
  }
  if (payload.length <= COPY_SMALL)
    return [Buffer.concat([head, payload], FRAME_HEADER_SIZE + payload.length)];
  return [head, payload];
}

/**
 * Reused buffers for large frames, in (a WRITE's data, assembled from socket chunks) and out (a
 * READ's response). A fresh 8 MiB allocation per frame costs page faults on first touch and,
 * as external memory, frequent full GCs: with these, streaming 256 MiB through one client
 * allocates a handful of buffers. A buffer is lent for one frame and given back (`giveBack`)
 * only when nothing can use it any more: an incoming frame once its dispatch has settled, an
 * outgoing one once the socket has written it.
 */
class LargeBuffers {
  private readonly free: ArrayBuffer[] = [];
  private readonly lent = new WeakSet<ArrayBufferLike>();

  constructor(
    /** Bytes per buffer: a largest frame (8 MiB of data) plus headers. */
    readonly size: number,
    /** Smallest request served from here; smaller ones are cheap to allocate. */
    readonly minimum: number,
    /** Free buffers kept (all connections together); more are left to the GC. */
    readonly keep: number,
  ) {}

  /** `n` bytes (uninitialised) at the start of a lent buffer, or undefined when `n` is not large. */
  lend(n: number): Buffer | undefined {
    if (n < this.minimum || n > this.size) return undefined;
    const ab = this.free.pop() ?? new ArrayBuffer(this.size);
    this.lent.add(ab);
    return Buffer.from(ab, 0, n);
  }

  /** Takes back the buffer `b` is a view of, if it was lent; anything else is ignored. */
  giveBack(b: Buffer): void {
    const ab = b.buffer;
    if (!this.lent.has(ab)) return;
    this.lent.delete(ab);
    if (this.free.length < this.keep) this.free.push(ab as ArrayBuffer);
  }
}

const largeBuffers = new LargeBuffers(8 * 1024 * 1024 + 128 * 1024, 1024 * 1024, 8);

/**
 * Gives a frame's buffer back for reuse once nothing holds a view of it any more (see
 * LargeBuffers): the caller promises that. Buffers not lent from the pool are ignored.
 */
export function reuseFrameBuffer(b: Buffer): void {
  largeBuffers.giveBack(b);
}
