import { isUtf8 } from 'node:buffer';

/**
 * POSIX names are bytes; the seam's names are strings. A name that is valid UTF-8 is that
 * string. A byte that is not part of valid UTF-8 becomes the lone surrogate U+DC80 + byte
 * (PEP 383 "surrogateescape"): no valid UTF-8 text can hold a lone surrogate, so the mapping is
 * lossless and never ambiguous, and every fs call gets the exact bytes back (fsPath).
 *
 * Why it matters: a Latin-1 name from an old system would otherwise be decoded lossily, fail
 * its own lstat and vanish from listings — undeletable, in a directory that "is not empty" yet
 * lists empty. A protocol layer that encodes strings as plain UTF-8 shows such bytes as U+FFFD;
 * one that applies the same escape on the wire round-trips them exactly.
 */

const ESCAPED = /[\u{DC80}-\u{DCFF}]/u;

/** Bytes of a directory entry → the seam's string. */
export function nameFromBytes(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  for (let i = 0; i < b.length; ) {
    const lead = b[i]!;
    const len =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    const seq = len > 0 && i + len <= b.length ? b.subarray(i, i + len) : undefined;
    if (seq && isUtf8(seq)) {
      out += seq.toString('utf8');
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + lead);
      i += 1;
    }
  }
  return out;
}

/** The seam's string → the bytes it stands for. */
export function bytesOfName(s: string): Buffer {
  if (!ESCAPED.test(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    parts.push(cp >= 0xdc80 && cp <= 0xdcff ? Buffer.of(cp - 0xdc00) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** True when `s` carries escaped bytes (and so is not plain UTF-8). */
export function hasEscapedBytes(s: string): boolean {
  return ESCAPED.test(s);
}

/** A path for fs calls: the string itself, or its exact bytes when it carries escaped ones. */
export function fsPath(p: string): string | Buffer {
  return ESCAPED.test(p) ? bytesOfName(p) : p;
}
