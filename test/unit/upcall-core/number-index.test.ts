import fc from 'fast-check';
import { NumberIndex } from '../../../upcall-core/number-index';

describe('NumberIndex: integer keys to slots, off the JS heap', () => {
  test('behaves like a Map under random adds and deletes (growth and tombstone sweeps included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat())), {
          maxLength: 3000,
        }),
        (ops) => {
          const idx = new NumberIndex(16);
          const ref = new Map<number, number>();
          ops.forEach(([add, key], n) => {
            if (add && !ref.has(key)) {
              idx.add(key, n);
              ref.set(key, n);
            } else if (!add) {
              expect(idx.delete(key)).toBe(ref.delete(key));
            }
          });
          expect(idx.size).toBe(ref.size);
          for (const [k, v] of ref) expect(idx.get(k)).toBe(v);
          for (const [, key] of ops) if (!ref.has(key)) expect(idx.get(key)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  test('keys above 2^32 are told apart from their low halves', () => {
    const idx = new NumberIndex();
    idx.add(5, 1);
    idx.add(5 + 2 ** 32, 2);
    expect([idx.get(5), idx.get(5 + 2 ** 32)]).toEqual([1, 2]);
  });

  test.each([
    [0, true],
    [2 ** 53 - 1, true],
    [-1, false],
    [1.5, false],
    [Number.NaN, false],
  ])('accepts(%p) is %p', (k, want) => {
    expect(NumberIndex.accepts(k)).toBe(want);
  });

  test('clear empties it', () => {
    const idx = new NumberIndex();
    for (let i = 0; i < 100; i++) idx.add(i, i);
    idx.clear();
    expect(idx.size).toBe(0);
    expect(idx.get(3)).toBeUndefined();
  });
});
