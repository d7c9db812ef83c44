import fc from 'fast-check';
import { createXdrReader } from '../../../../gateway/rpc/xdr-reader';
import { createXdrWriter, XdrWriterImpl } from '../../../../gateway/rpc/xdr-writer';

type Item =
  | { t: 'u32'; v: number }
  | { t: 'i32'; v: number }
  | { t: 'u64'; v: bigint }
  | { t: 'i64'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'opaque'; v: Uint8Array }
  | { t: 'fixed'; v: Uint8Array }
  | { t: 'string'; v: string };

const item: fc.Arbitrary<Item> = fc.oneof(
  fc.nat({ max: 0xffffffff }).map((v) => ({ t: 'u32' as const, v })),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((v) => ({ t: 'i32' as const, v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ t: 'u64' as const, v })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'i64' as const, v })),
  fc.boolean().map((v) => ({ t: 'bool' as const, v })),
  fc.uint8Array({ maxLength: 70 }).map((v) => ({ t: 'opaque' as const, v })),
  fc.uint8Array({ maxLength: 70 }).map((v) => ({ t: 'fixed' as const, v })),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((v) => ({ t: 'string' as const, v })),
);

function write(w: XdrWriterImpl, it: Item): void {
  switch (it.t) {
    case 'u32':
      w.u32(it.v);
      break;
    case 'i32':
      w.i32(it.v);
      break;
    case 'u64':
      w.u64(it.v);
      break;
    case 'i64':
      w.i64(it.v);
      break;
    case 'bool':
      w.bool(it.v);
      break;
    case 'opaque':
      w.opaque(it.v);
      break;
    case 'fixed':
      w.fixedOpaque(it.v);
      break;
    case 'string':
      w.string(it.v);
      break;
  }
}

describe('XdrWriter', () => {
  test('everything written reads back identically, at any initial capacity (round trip)', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.integer({ min: 16, max: 256 }), (items, cap) => {
        const w = createXdrWriter(cap);
        for (const it of items) write(w, it);
        const out = w.finish();
        expect(out.length % 4).toBe(0);
        const r = createXdrReader(out);
        for (const it of items) {
          switch (it.t) {
            case 'u32':
              expect(r.u32()).toBe(it.v);
              break;
            case 'i32':
              expect(r.i32()).toBe(it.v);
              break;
            case 'u64':
              expect(r.u64()).toBe(it.v);
              break;
            case 'i64':
              expect(r.i64()).toBe(it.v);
              break;
            case 'bool':
              expect(r.bool()).toBe(it.v);
              break;
            case 'opaque':
              expect(new Uint8Array(r.opaque(1000))).toEqual(it.v);
              break;
            case 'fixed':
              expect(new Uint8Array(r.fixedOpaque(it.v.length))).toEqual(it.v);
              break;
            case 'string':
              expect(r.string(1000)).toBe(it.v);
              break;
          }
        }
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  test('padding bytes are zero even over recycled memory (RFC 4506 §3)', () => {
    const w = createXdrWriter(64);
    // Dirty the buffer, hand it out, then write padded items over the rest of the same memory.
    for (let i = 0; i < 8; i++) w.u32(0xffffffff);
    w.finish();
    w.opaque(Buffer.from([1]))
      .fixedOpaque(Buffer.from([2, 3]))
      .string('abcde');
    expect(w.finish().toString('hex')).toBe(
      '00000001' + '01000000' + '02030000' + '00000005' + '6162636465000000',
    );
  });

  test('u64 encodes small values and values past 2^53 the same way (RFC 4506 §4.5)', () => {
    const w = createXdrWriter();
    w.u64(5n)
      .u64(2n ** 53n + 1n)
      .u64(2n ** 64n - 1n)
      .u64Number(2 ** 40 + 3);
    expect(w.finish().toString('hex')).toBe(
      '0000000000000005' + '0020000000000001' + 'ffffffffffffffff' + '0000010000000003',
    );
  });

  test('out-of-range integers throw instead of wrapping silently', () => {
    const w = createXdrWriter();
    expect(() => w.u32(-1)).toThrow(RangeError);
    expect(() => w.u32(2 ** 32)).toThrow(RangeError);
    expect(() => w.u32(1.5)).toThrow(RangeError);
    expect(() => w.i32(2 ** 31)).toThrow(RangeError);
    expect(() => w.u64(-1n)).toThrow(RangeError);
    expect(() => w.u64(2n ** 64n)).toThrow(RangeError);
    expect(() => w.i64(2n ** 63n)).toThrow(RangeError);
    expect(() => w.i64(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => w.u64Number(-1)).toThrow(RangeError);
    expect(() => w.u64Number(2 ** 53)).toThrow(RangeError);
    expect(w.length).toBe(0);
  });

  test('views handed out by finish() survive later writes and growth', () => {
    const w = createXdrWriter(16);
    w.u32(1).u32(2);
    const first = w.finish();
    w.u32(3);
    const big = Buffer.alloc(1000, 7);
    w.opaque(big); // forces a new buffer while the unfinished u32(3) moves with it
    const second = w.finish();
    expect(first.toString('hex')).toBe('0000000100000002');
    expect(second.readUInt32BE(0)).toBe(3);
    expect(second.readUInt32BE(4)).toBe(1000);
    expect(second.subarray(8, 1008).every((b) => b === 7)).toBe(true);
    expect(w.length).toBe(0);
  });

  test('growth doubles: a long run of writes allocates only logarithmically many buffers', () => {
    const w = createXdrWriter(16);
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 10_000; i++) {
      w.u32(i);
      buffers.add((w as unknown as { buf: Buffer }).buf.buffer);
    }
    expect(buffers.size).toBeLessThanOrEqual(14);
    const out = w.finish();
    expect(out.length).toBe(40_000);
    expect(out.readUInt32BE(4 * 9999)).toBe(9999);
  });

  test('truncate rolls back and patchU32 rewrites in place (record marks)', () => {
    const w = createXdrWriter();
    w.u32(0);
    const mark = w.length;
    w.u32(0).u32(7);
    w.patchU32(mark, 0xdeadbeef);
    w.u32(8);
    w.truncate(12);
    expect(w.finish().toString('hex')).toBe('00000000deadbeef00000007');
    expect(() => w.truncate(1)).toThrow(RangeError);
    expect(() => w.patchU32(0, 1)).toThrow(RangeError);
  });

  test('rejects an unusable initial capacity', () => {
    expect(() => new XdrWriterImpl(3)).toThrow(RangeError);
    expect(() => new XdrWriterImpl(100.5)).toThrow(RangeError);
  });
});
