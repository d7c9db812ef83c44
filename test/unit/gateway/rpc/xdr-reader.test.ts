import { XdrError } from '../../../../gateway/rpc/errors';
import { createXdrReader, XdrReaderImpl } from '../../../../gateway/rpc/xdr-reader';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

describe('XdrReader', () => {
  test('reads big-endian integers of every width (RFC 4506 §4.1–4.5)', () => {
    const r = createXdrReader(
      hex('ffffffff 80000000 00000001 fffffffe ffffffffffffffff 8000000000000000 0000000100000002'),
    );
    expect(r.u32()).toBe(0xffffffff);
    expect(r.i32()).toBe(-0x80000000);
    expect(r.u32()).toBe(1);
    expect(r.i32()).toBe(-2);
    expect(r.u64()).toBe(0xffffffffffffffffn);
    expect(r.i64()).toBe(-0x8000000000000000n);
    expect(r.u64()).toBe(0x100000002n);
    expect(r.remaining).toBe(0);
  });

  test('bool accepts only 0 and 1 (RFC 4506 §4.4)', () => {
    const r = createXdrReader(hex('00000000 00000001 00000002'));
    expect(r.bool()).toBe(false);
    expect(r.bool()).toBe(true);
    expect(() => r.bool()).toThrow(XdrError);
  });

  test.each([0, 1, 2, 3, 4, 5, 7, 8, 9])('opaque of %i bytes consumes its padding (RFC 4506 §4.10)', (n) => {
    const pad = (4 - (n % 4)) % 4;
    const body = Buffer.alloc(4 + n + pad + 4, 0xaa);
    body.writeUInt32BE(n, 0);
    body.writeUInt32BE(0x11223344, 4 + n + pad);
    const r = createXdrReader(body);
    const got = r.opaque(100);
    expect(got.length).toBe(n);
    expect(got.every((b) => b === 0xaa)).toBe(true);
    expect(r.u32()).toBe(0x11223344);
  });

  test('an opaque missing its padding at the end of the record is truncated (RFC 4506 §4.10)', () => {
    expect(() => createXdrReader(hex('00000001 aa')).opaque(10)).toThrow(XdrError);
    expect(() => createXdrReader(hex('00000001 aa0000')).opaque(10)).toThrow(XdrError);
    expect(createXdrReader(hex('00000001 aa000000')).opaque(10)).toEqual(hex('aa'));
  });

  test('opaque<max> and string<max> reject a length over max before reading the bytes', () => {
    // Only the length is present: the maximum must be checked first, not the truncation.
    expect(() => createXdrReader(hex('00000005')).opaque(4)).toThrow(/exceeds its maximum of 4/);
    expect(() => createXdrReader(hex('00000005')).string(4)).toThrow(/exceeds its maximum of 4/);
    expect(createXdrReader(hex('00000004 61626364')).string(4)).toBe('abcd');
  });

  test('a length of 2^32-1 with no maximum is a truncation, not a RangeError', () => {
    const r = createXdrReader(hex('ffffffff 00000000'));
    expect(() => r.opaque(0xffffffff)).toThrow(XdrError);
  });

  test('fixedOpaque reads n bytes plus padding (RFC 4506 §4.9)', () => {
    const r = createXdrReader(hex('010203 00 0a0b0c0d'));
    expect(r.fixedOpaque(3)).toEqual(hex('010203'));
    expect(r.fixedOpaque(4)).toEqual(hex('0a0b0c0d'));
    expect(() => r.fixedOpaque(1)).toThrow(XdrError);
    expect(() => r.fixedOpaque(-1)).toThrow(RangeError);
  });

  test('string decodes UTF-8 (RFC 4506 §4.11)', () => {
    const s = 'héllo ✓';
    const bytes = Buffer.from(s, 'utf8');
    const b = Buffer.alloc(4 + bytes.length + ((4 - (bytes.length % 4)) % 4));
    b.writeUInt32BE(bytes.length, 0);
    bytes.copy(b, 4);
    const r = createXdrReader(b);
    expect(r.string(255)).toBe(s);
    expect(r.remaining).toBe(0);
  });

  test('optional reads the item only when the flag is TRUE (RFC 4506 §4.19)', () => {
    const r = createXdrReader(hex('00000001 00000007 00000000'));
    expect(r.optional((x) => x.u32())).toBe(7);
    expect(r.optional((x) => x.u32())).toBeUndefined();
  });

  test('every read truncated at every byte throws XdrError and never reads garbage', () => {
    const full = hex('00000001 ffffffff 0000000000000009 00000003 61626300 00000002 7a7a0000 01020300');
    const readAll = (r: XdrReaderImpl) => {
      r.bool();
      r.i32();
      r.u64();
      r.opaque(10);
      r.string(10);
      r.fixedOpaque(3);
    };
    readAll(createXdrReader(full));
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => readAll(createXdrReader(full, 0, cut))).toThrow(XdrError);
    }
  });

  test('reads stay inside [offset, end) even when the buffer goes on', () => {
    const b = hex('deadbeef 00000001 00000002 cafebabe');
    const r = createXdrReader(b, 4, 12);
    expect(r.position).toBe(4);
    expect(r.u32()).toBe(1);
    expect(r.u32()).toBe(2);
    expect(() => r.u32()).toThrow(XdrError);
  });

  test('reset points the reader at a new record and rejects a bad range', () => {
    const r = new XdrReaderImpl();
    expect(r.remaining).toBe(0);
    r.reset(hex('00000009'));
    expect(r.u32()).toBe(9);
    expect(() => r.reset(hex('00'), 0, 2)).toThrow(RangeError);
    expect(() => createXdrReader(hex('0000'), 3)).toThrow(RangeError);
  });

  test('opaque returns a view of the record, not a copy', () => {
    const b = hex('00000002 abcd0000');
    const o = createXdrReader(b).opaque(2);
    b[4] = 0x01;
    expect(o[0]).toBe(0x01);
  });
});
