import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Ino } from './attrs';
import { BackendError } from './errors';

/**
 * NFS file handles from backend identity, so they survive restarts and are the same on every
 * gateway head over one export (a client can fail over). RFC 1813 §2.4: at most 64 bytes.
 *
 * Layout, big-endian:
 *   0   u8   magic+version (0xA1)
 *   1   u64  fsid
 *   9   u64  inode number
 *   17  u32  generation (genOf: low bits of the birth time; tells a reused inode number)
 *   21  u8   depth: directories between the root and the object (255 = not known)
 *   22  u16  × n  hints: 16-bit hash of each of those directories' inodes, root side first,
 *              n = min(depth, 17) — enough to walk from the root after a restart (16 when
 *              `maxBytes` is 63, leaving a byte for the NFS layer's export prefix)
 *   22+2n  8 bytes: HMAC-SHA256 of everything before, truncated
 *
 * The MAC key by default is derived from the export's fsid and root inode, so every head
 * computes the same key with no configuration; that rejects garbage, truncation and handles of
 * another export, but a client that knows this scheme can forge one. Set `handleSecret` (the
 * same on every head) to make forging infeasible.
 */

export const MAX_HANDLE_BYTES = 64;
const MAGIC = 0xa1;
const FIXED = 22;
const MAC_BYTES = 8;
export const MIN_HANDLE_BYTES = FIXED + MAC_BYTES;
/** Hints that fit a handle of `maxBytes` (17 in 64 bytes, 16 in 63 — an export prefix byte). */
export function hintsThatFit(maxBytes: number): number {
  return Math.floor((maxBytes - MIN_HANDLE_BYTES) / 2);
}
export const DEPTH_UNKNOWN = 255;

/** What PosixBackend offers the protocol servers besides the Backend seam. */
export interface HandleCodec {
  /** The handle of a known object; the same bytes for the object's whole life in this process. */
  handleOf(ino: Ino): Buffer;
  /** Throws BackendError EBADHANDLE (malformed, forged) or ESTALE (object gone). */
  resolveHandle(h: Buffer): Promise<Ino>;
}

export interface HandleIdentity {
  readonly fsid: bigint;
  readonly ino: Ino;
  readonly gen: number;
}

export interface DecodedHandle extends HandleIdentity {
  /** Number of directories between root and object, or DEPTH_UNKNOWN. */
  readonly depth: number;
  readonly hints: readonly number[];
  /** True when the path is deeper than the hints carried (or unknown). */
  readonly truncated: boolean;
}

/** 16 bits of a 64-bit mix (splitmix64's finalizer) of an inode number. */
export function hintOf(ino: Ino): number {
  let z = BigInt.asUintN(64, ino + 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  z ^= z >> 31n;
  return Number(z & 0xffffn);
}

export function deriveHandleKey(fsid: bigint, rootIno: Ino, secret?: Uint8Array): Buffer {
  const h = createHash('sha256').update('upcall-handle-v1\0');
  if (secret) h.update(secret);
  else h.update(`${fsid}:${rootIno}`);
  return h.digest();
}

export class HandleCoder {
  private readonly maxHints: number;

  /** `maxBytes` must be the same on every head: a longer handle is refused as malformed. */
  constructor(
    private readonly key: Buffer,
    private readonly maxBytes = MAX_HANDLE_BYTES,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_HANDLE_BYTES || maxBytes > MAX_HANDLE_BYTES) {
      throw new RangeError(`maxHandleBytes must be ${MIN_HANDLE_BYTES}..${MAX_HANDLE_BYTES}`);
    }
    this.maxHints = hintsThatFit(maxBytes);
  }

  /** `ancestry`: directory inodes from below the root down to the parent; undefined if unknown. */
  encode(id: HandleIdentity, ancestry: readonly Ino[] | undefined): Buffer {
    const depth = ancestry === undefined ? DEPTH_UNKNOWN : Math.min(ancestry.length, DEPTH_UNKNOWN - 1);
    const hints = ancestry === undefined ? [] : ancestry.slice(0, this.maxHints).map(hintOf);
    const buf = Buffer.alloc(FIXED + 2 * hints.length + MAC_BYTES);
    buf.writeUInt8(MAGIC, 0);
    buf.writeBigUInt64BE(BigInt.asUintN(64, id.fsid), 1);
    buf.writeBigUInt64BE(BigInt.asUintN(64, id.ino), 9);
    buf.writeUInt32BE(id.gen >>> 0, 17);
    buf.writeUInt8(depth, 21);
    hints.forEach((h, i) => {
      buf.writeUInt16BE(h, FIXED + 2 * i);
    });
    const body = FIXED + 2 * hints.length;
    this.mac(buf.subarray(0, body)).copy(buf, body);
    return buf;
  }

  /**
   * The inode a handle names, unchecked: only for looking up a handle we hold already (whose
   * bytes are then compared in full), never to trust one.
   */
  static peekIno(buf: Buffer): Ino | undefined {
    return buf.length >= MIN_HANDLE_BYTES ? buf.readBigUInt64BE(9) : undefined;
  }

  /** Checks shape and MAC; throws EBADHANDLE on anything that is not a handle we made. */
  decode(buf: Buffer): DecodedHandle {
    const len = buf.length;
    if (len < MIN_HANDLE_BYTES || len > this.maxBytes || (len - MIN_HANDLE_BYTES) % 2 !== 0) {
      throw new BackendError('EBADHANDLE', `handle of ${len} bytes`);
    }
    if (buf.readUInt8(0) !== MAGIC) throw new BackendError('EBADHANDLE', 'bad handle magic');
    const body = len - MAC_BYTES;
    if (!timingSafeEqual(this.mac(buf.subarray(0, body)), buf.subarray(body))) {
      throw new BackendError('EBADHANDLE', 'handle check failed');
    }
    const depth = buf.readUInt8(21);
    const n = (body - FIXED) / 2;
    const expected = depth === DEPTH_UNKNOWN ? 0 : Math.min(depth, this.maxHints);
    if (n !== expected) throw new BackendError('EBADHANDLE', 'handle hint count does not match depth');
    const hints: number[] = [];
    for (let i = 0; i < n; i++) hints.push(buf.readUInt16BE(FIXED + 2 * i));
    return {
      fsid: buf.readBigUInt64BE(1),
      ino: buf.readBigUInt64BE(9),
      gen: buf.readUInt32BE(17),
      depth,
      hints,
      truncated: depth === DEPTH_UNKNOWN || depth > n,
    };
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest().subarray(0, MAC_BYTES);
  }
}
