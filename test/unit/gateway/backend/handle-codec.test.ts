import { randomBytes } from 'node:crypto';
import { BackendError } from '../../../../gateway/backend/errors';
import {
  DEPTH_UNKNOWN,
  deriveHandleKey,
  HandleCoder,
  hintOf,
  MAX_HANDLE_BYTES,
  MIN_HANDLE_BYTES,
} from '../../../../gateway/backend/handle-codec';

const key = deriveHandleKey(0x803n, 2n);
const coder = new HandleCoder(key);
const id = { fsid: 0x803n, ino: 123456789n, gen: 0xdeadbeef };
const chain = (n: number) => Array.from({ length: n }, (_, i) => BigInt(1000 + i));

function decodeCode(c: HandleCoder, b: Buffer): string | undefined {
  try {
    c.decode(b);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return (err as BackendError).code;
  }
}

describe('handle codec', () => {
  test('round-trips identity and the hints of every ancestor, root side first', () => {
    const h = coder.encode(id, chain(3));
    const d = coder.decode(h);
    expect(d).toMatchObject({ ...id, depth: 3, truncated: false });
    expect(d.hints).toEqual(chain(3).map(hintOf));
  });

  test('RFC 1813 §2.4: never longer than 64 bytes, however deep the path', () => {
    for (const depth of [0, 1, 16, 17, 18, 200, 300]) {
      const h = coder.encode(id, chain(depth));
      expect(h.length).toBeLessThanOrEqual(MAX_HANDLE_BYTES);
      expect(coder.decode(h).truncated).toBe(depth > 17);
    }
    expect(coder.encode(id, chain(300)).length).toBe(64);
    expect(coder.encode(id, []).length).toBe(MIN_HANDLE_BYTES);
  });

  test('a 63-byte limit leaves a byte for an export prefix', () => {
    const c63 = new HandleCoder(key, 63);
    const h = c63.encode(id, chain(40));
    expect(h.length).toBe(62);
    expect(c63.decode(h).hints).toHaveLength(16);
    // A 64-byte handle is not one this coder could have made.
    expect(decodeCode(c63, coder.encode(id, chain(40)))).toBe('EBADHANDLE');
  });

  test('unknown ancestry is carried as such, with no hints', () => {
    const d = coder.decode(coder.encode(id, undefined));
    expect(d).toMatchObject({ depth: DEPTH_UNKNOWN, hints: [], truncated: true });
  });

  test('the same identity always gives the same bytes; another generation does not', () => {
    expect(coder.encode(id, chain(2))).toEqual(
      new HandleCoder(deriveHandleKey(0x803n, 2n)).encode(id, chain(2)),
    );
    expect(coder.encode({ ...id, gen: 1 }, chain(2))).not.toEqual(coder.encode(id, chain(2)));
  });

  test('every single flipped bit is caught (EBADHANDLE)', () => {
    const h = coder.encode(id, chain(5));
    for (let i = 0; i < h.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const forged = Buffer.from(h);
        forged[i]! ^= 1 << bit;
        expect(decodeCode(coder, forged)).toBe('EBADHANDLE');
      }
    }
  });

  test('every truncation and extension is caught (EBADHANDLE)', () => {
    const h = coder.encode(id, chain(5));
    for (let len = 0; len < h.length; len++) expect(decodeCode(coder, h.subarray(0, len))).toBe('EBADHANDLE');
    expect(decodeCode(coder, Buffer.concat([h, Buffer.alloc(2)]))).toBe('EBADHANDLE');
  });

  test('garbage of every length is EBADHANDLE', () => {
    for (let len = 0; len <= 80; len++) {
      for (let k = 0; k < 5; k++) expect(decodeCode(coder, randomBytes(len))).toBe('EBADHANDLE');
    }
  });

  test("another export's handle (other key) or a forged ino is EBADHANDLE", () => {
    const other = new HandleCoder(deriveHandleKey(0x803n, 3n));
    expect(decodeCode(coder, other.encode(id, []))).toBe('EBADHANDLE');
    const secret = new HandleCoder(deriveHandleKey(0x803n, 2n, Buffer.from('s3cret')));
    expect(decodeCode(coder, secret.encode(id, []))).toBe('EBADHANDLE');
    const h = coder.encode(id, []);
    h.writeBigUInt64BE(id.ino + 1n, 9);
    expect(decodeCode(coder, h)).toBe('EBADHANDLE');
  });

  test('hints spread consecutive inode numbers over the 16-bit space', () => {
    const hints = new Set(Array.from({ length: 2000 }, (_, i) => hintOf(BigInt(5000 + i))));
    expect(hints.size).toBeGreaterThan(1950);
  });
});
