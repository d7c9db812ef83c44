/**
 * The slice of DER (ITU-T X.690) that SPNEGO needs: single-byte tags, definite lengths of up to
 * four bytes, OBJECT IDENTIFIER, OCTET STRING, ENUMERATED. Reading is bounds-checked and fails
 * with SpnegoError; values are views into the input.
 */
import { SpnegoError } from './errors';

export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  /** [APPLICATION 0] constructed: RFC 2743 §3.1 InitialContextToken. */
  APPLICATION_0: 0x60,
} as const;

/** Context-specific constructed tag [n]. */
export const ctx = (n: number): number => 0xa0 | n;

export interface Tlv {
  tag: number;
  /** The contents octets. */
  value: Buffer;
  /** The whole encoding: tag, length and contents. */
  raw: Buffer;
}

/** Reads one TLV at `pos` of `buf`; it must fit inside `buf`. */
export function readTlv(buf: Buffer, pos = 0): Tlv {
  if (pos + 2 > buf.length) throw new SpnegoError('DER: truncated before tag and length');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new SpnegoError('DER: multi-byte tags are not used by SPNEGO');
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new SpnegoError('DER: indefinite length is not DER');
    if (n > 4) throw new SpnegoError(`DER: ${n}-byte length field is too long`);
    if (p + n > buf.length) throw new SpnegoError('DER: truncated length field');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (len > buf.length - p)
    throw new SpnegoError(`DER: value of ${len} bytes runs past the end (${buf.length - p} left)`);
  return { tag, value: buf.subarray(p, p + len), raw: buf.subarray(pos, p + len) };
}

/** Reads a single TLV that must span all of `buf` and carry `tag`. */
export function readOnly(buf: Buffer, tag: number, what: string): Tlv {
  const t = readTlv(buf);
  if (t.tag !== tag)
    throw new SpnegoError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  if (t.raw.length !== buf.length) throw new SpnegoError(`${what}: trailing bytes after the value`);
  return t;
}

/** The TLVs making up a constructed value's contents, in order. */
export function readChildren(contents: Buffer, max = 16): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < contents.length; ) {
    if (out.length >= max) throw new SpnegoError(`DER: more than ${max} elements`);
    const t = readTlv(contents, pos);
    out.push(t);
    pos += t.raw.length;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(v: Buffer): string {
  if (v.length === 0) throw new SpnegoError('DER: empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (n > 0xffffffff) throw new SpnegoError('DER: OID arc too large');
    if (v[i]! & 0x80) continue;
    if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
    else arcs.push(n);
    n = 0;
  }
  if (v[v.length - 1]! & 0x80) throw new SpnegoError('DER: truncated OID arc');
  return arcs.join('.');
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes tag ‖ length ‖ concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.of(tag), encodeLength(body.length), body]);
}

/** An OBJECT IDENTIFIER TLV from dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number): void => {
    const b = [n & 0x7f];
    for (let x = Math.floor(n / 128); x > 0; x = Math.floor(x / 128)) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(DerTag.OID, Buffer.from(out));
}
