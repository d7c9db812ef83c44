/**
 * AV_PAIR lists (MS-NLMP §2.2.2.1): the CHALLENGE's TargetInfo, echoed (plus the client's own
 * pairs) inside the NTLMv2 response blob. Each pair is AvId (u16 LE), AvLen (u16 LE), value; the
 * list ends with MsvAvEOL (id 0, length 0).
 */

import { NtlmMessageError } from './errors';
import { AvId, MSV_AV_FLAG_MIC_PRESENT } from './ntlm-constants';

export interface AvPair {
  id: number;
  value: Buffer;
}

/** At most this many pairs are read; a real list has about ten. */
const MAX_PAIRS = 64;

/**
 * Parses a list up to MsvAvEOL; bytes after the EOL (the blob's trailing padding) are ignored.
 * Values are views into `buf`. Throws NtlmMessageError on a pair past the end or a missing EOL.
 */
export function parseAvPairs(buf: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let pos = 0;
  for (;;) {
    if (pos + 4 > buf.length) throw new NtlmMessageError('AV_PAIR list is not terminated by MsvAvEOL');
    const id = buf.readUInt16LE(pos);
    const len = buf.readUInt16LE(pos + 2);
    if (pos + 4 + len > buf.length) throw new NtlmMessageError(`AV_PAIR ${id} runs past the end of its list`);
    if (id === AvId.MsvAvEOL) return pairs;
    if (pairs.length >= MAX_PAIRS) throw new NtlmMessageError(`more than ${MAX_PAIRS} AV_PAIRs`);
    pairs.push({ id, value: buf.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
  }
}

/** Serialises pairs and appends MsvAvEOL. */
export function buildAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    if (p.value.length > 0xffff) throw new RangeError(`AV_PAIR ${p.id} value too long`);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(p.id, 0);
    h.writeUInt16LE(p.value.length, 2);
    parts.push(h, p.value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

/** A UTF-16LE string pair (the name pairs). */
export function stringPair(id: number, s: string): AvPair {
  return { id, value: Buffer.from(s, 'utf16le') };
}

/** MsvAvFlags of a list, or 0 when absent (a 4-byte little-endian value). */
export function avFlags(pairs: readonly AvPair[]): number {
  const p = pairs.find((x) => x.id === AvId.MsvAvFlags);
  return p && p.value.length >= 4 ? p.value.readUInt32LE(0) : 0;
}

/** True when the client says its AUTHENTICATE carries a MIC (MsvAvFlags bit 0x2). */
export function micPresent(pairs: readonly AvPair[]): boolean {
  return (avFlags(pairs) & MSV_AV_FLAG_MIC_PRESENT) !== 0;
}

/** FILETIME (100 ns ticks since 1601-01-01 UTC) for a JavaScript time in milliseconds. */
export function fileTimeFromMs(ms: number): bigint {
  return BigInt(Math.round(ms)) * 10000n + 116444736000000000n;
}

/** An 8-byte little-endian FILETIME value (MsvAvTimestamp). */
export function fileTimeBytes(ft: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(ft, 0);
  return b;
}
