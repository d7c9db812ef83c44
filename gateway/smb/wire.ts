/**
 * Small, bounds-checked helpers shared by the command codecs: variable buffers addressed by
 * (offset from the header, length), UTF-16LE strings, FILETIME and 8-byte alignment. Every
 * out-of-range field a client sends becomes STATUS_INVALID_PARAMETER (MS-SMB2 §3.3.5.2.6),
 * never an exception from Buffer.
 */
import type { Time } from '../backend/attrs';
import { NtStatus, SmbError } from './ntstatus';

/**
 * The `length` bytes at `offset` of `message` (offsets in SMB2 bodies count from the start of
 * the header). A zero length is always valid, whatever the offset.
 */
export function bufferAt(message: Buffer, offset: number, length: number, what: string): Buffer {
  if (length === 0) return message.subarray(0, 0);
  if (offset < 64 || offset + length > message.length) {
    throw new SmbError(
      NtStatus.STATUS_INVALID_PARAMETER,
      `${what}: ${length} bytes at offset ${offset} lie outside the ${message.length}-byte message`,
    );
  }
  return message.subarray(offset, offset + length);
}

/** UTF-16LE text; an odd byte count is malformed. */
export function utf16(bytes: Buffer, what: string): string {
  if (bytes.length % 2 !== 0)
    throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `${what}: odd UTF-16 length ${bytes.length}`);
  return bytes.toString('utf16le');
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** 100 ns intervals between 1601-01-01 and 1970-01-01 (MS-DTYP §2.3.3 FILETIME). */
const EPOCH_DIFF = 116444736000000000n;

/** A POSIX time as FILETIME; times before 1601 clamp to 0. */
export function fileTime(t: Time): bigint {
  const v = BigInt(t.sec) * 10_000_000n + BigInt(Math.floor(t.nsec / 100)) + EPOCH_DIFF;
  return v < 0n ? 0n : v;
}

/** A FILETIME as POSIX time. */
export function timeOfFileTime(ft: bigint): Time {
  const rel = ft - EPOCH_DIFF;
  const sec = rel >= 0n ? rel / 10_000_000n : -((-rel + 9_999_999n) / 10_000_000n);
  const rest = rel - sec * 10_000_000n;
  return { sec: Number(sec), nsec: Number(rest) * 100 };
}

/** FILETIME now. */
export function fileTimeNow(): bigint {
  return BigInt(Date.now()) * 10_000n + EPOCH_DIFF;
}

/** A 16-byte SMB2_FILEID (MS-SMB2 §2.2.14.1): Persistent then Volatile. */
export interface FileId {
  readonly persistent: bigint;
  readonly volatile: bigint;
}

export function readFileId(buf: Buffer, offset: number): FileId {
  return { persistent: buf.readBigUInt64LE(offset), volatile: buf.readBigUInt64LE(offset + 8) };
}

export function writeFileId(buf: Buffer, offset: number, id: FileId): void {
  buf.writeBigUInt64LE(id.persistent, offset);
  buf.writeBigUInt64LE(id.volatile, offset + 8);
}
