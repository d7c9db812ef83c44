import fc from 'fast-check';
import { RecordTooLargeError, TooManyFragmentsError } from '../../../../gateway/rpc/errors';
import {
  beginRecord,
  DEFAULT_MAX_RECORD_SIZE,
  endRecord,
  RecordDecoder,
  recordMark,
} from '../../../../gateway/rpc/record-marking';
import { createXdrWriter } from '../../../../gateway/rpc/xdr-writer';
import { frameRecord } from '../../../helpers/rpc-client';

function drain(d: RecordDecoder): Buffer[] {
  const out: Buffer[] = [];
  for (let r = d.next(); r !== null; r = d.next()) out.push(Buffer.from(r));
  return out;
}

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('RecordDecoder (RFC 5531 §11)', () => {
  const records = [bytes(12, 1), bytes(0, 2), bytes(37, 3), bytes(8, 4)];
  // The third record comes in three fragments, one of them empty.
  const stream = Buffer.concat([
    frameRecord(records[0]!),
    frameRecord(records[1]!),
    frameRecord(records[2]!, [10, 0, 27]),
    frameRecord(records[3]!, [4, 4]),
  ]);

  test('a stream in one chunk yields every record, fragments joined', () => {
    const d = new RecordDecoder();
    d.push(stream);
    expect(drain(d)).toEqual(records);
    expect(d.midRecord).toBe(false);
    expect(d.bufferedBytes).toBe(0);
  });

  test('split into two chunks at every byte position, the same records come out', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new RecordDecoder();
      const got: Buffer[] = [];
      d.push(stream.subarray(0, cut));
      got.push(...drain(d));
      d.push(stream.subarray(cut));
      got.push(...drain(d));
      expect(got).toEqual(records);
    }
  });

  test('fed one byte at a time, the same records come out', () => {
    const d = new RecordDecoder();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      d.push(stream.subarray(i, i + 1));
      got.push(...drain(d));
    }
    expect(got).toEqual(records);
  });

  test('any chunking of any fragmentation yields the records (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 60 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 }),
        (recs, fragCounts, chunkSizes) => {
          const framed = recs.map((r, i) => {
            const n = fragCounts[i]!;
            const sizes: number[] = [];
            let left = r.length;
            for (let k = 0; k < n - 1; k++) {
              const s = Math.floor(left / 2);
              sizes.push(s);
              left -= s;
            }
            sizes.push(left);
            return frameRecord(Buffer.from(r), sizes);
          });
          const all = Buffer.concat(framed);
          const d = new RecordDecoder();
          const got: Buffer[] = [];
          let at = 0;
          for (const size of chunkSizes) {
            d.push(all.subarray(at, at + size));
            at += size;
            got.push(...drain(d));
          }
          d.push(all.subarray(at));
          got.push(...drain(d));
          expect(got.map((b) => b.toString('hex'))).toEqual(recs.map((r) => Buffer.from(r).toString('hex')));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a record inside one chunk is a view of it, not a copy', () => {
    const d = new RecordDecoder();
    const chunk = frameRecord(bytes(8, 9));
    d.push(chunk);
    const rec = d.next()!;
    expect(rec.buffer).toBe(chunk.buffer);
  });

  test('the size bound is enforced on the fragment header, before its body arrives', () => {
    const d = new RecordDecoder({ maxRecordSize: 100 });
    d.push(recordMark(101)); // only the header: 4 bytes
    expect(() => d.next()).toThrow(RecordTooLargeError);
    const ok = new RecordDecoder({ maxRecordSize: 100 });
    ok.push(recordMark(100));
    expect(ok.next()).toBeNull();
  });

  test('the size bound counts every fragment of the record', () => {
    const d = new RecordDecoder({ maxRecordSize: 100 });
    const first = Buffer.concat([Buffer.from([0, 0, 0, 60]), bytes(60, 1)]); // not last
    d.push(first);
    expect(d.next()).toBeNull();
    d.push(recordMark(41));
    expect(() => d.next()).toThrow(RecordTooLargeError);
  });

  test('the default bound admits 1 MiB + 64 KiB and refuses one byte more', () => {
    const d = new RecordDecoder();
    d.push(recordMark(DEFAULT_MAX_RECORD_SIZE));
    expect(d.next()).toBeNull();
    const e = new RecordDecoder();
    e.push(recordMark(DEFAULT_MAX_RECORD_SIZE + 1));
    expect(() => e.next()).toThrow(RecordTooLargeError);
  });

  test('a flood of empty non-last fragments hits the fragment bound', () => {
    const d = new RecordDecoder({ maxFragments: 8 });
    d.push(Buffer.alloc(4 * 8)); // eight empty, non-last fragments
    expect(d.next()).toBeNull();
    d.push(Buffer.alloc(4));
    expect(() => d.next()).toThrow(TooManyFragmentsError);
  });

  test('the fragment count starts again with each record', () => {
    const d = new RecordDecoder({ maxFragments: 2 });
    const rec = bytes(6, 5);
    d.push(Buffer.concat([frameRecord(rec, [3, 3]), frameRecord(rec, [2, 4]), frameRecord(rec, [6])]));
    expect(drain(d)).toEqual([rec, rec, rec]);
  });

  test('midRecord reports a partial record; clear forgets it', () => {
    const d = new RecordDecoder();
    d.push(frameRecord(bytes(20, 1)).subarray(0, 10));
    expect(d.next()).toBeNull();
    expect(d.midRecord).toBe(true);
    d.clear();
    expect(d.midRecord).toBe(false);
    d.push(frameRecord(bytes(4, 2)));
    expect(drain(d)).toEqual([bytes(4, 2)]);
  });

  test('rejects unusable bounds', () => {
    expect(() => new RecordDecoder({ maxRecordSize: -1 })).toThrow(RangeError);
    expect(() => new RecordDecoder({ maxRecordSize: 2 ** 31 })).toThrow(RangeError);
    expect(() => new RecordDecoder({ maxFragments: 0 })).toThrow(RangeError);
  });
});

describe('record encoding (RFC 5531 §11)', () => {
  test('beginRecord/endRecord frame a body written in place as one last fragment', () => {
    const w = createXdrWriter(16);
    w.u32(0xaaaaaaaa);
    w.finish();
    const at = beginRecord(w);
    w.u32(1).string('hello');
    endRecord(w, at);
    const out = w.finish();
    expect(out.readUInt32BE(0)).toBe(0x80000000 + 16);
    const d = new RecordDecoder();
    d.push(out);
    expect(d.next()!.toString('hex')).toBe('00000001' + '00000005' + '68656c6c6f000000');
  });

  test('recordMark sets the last-fragment bit and the length', () => {
    expect(recordMark(0).toString('hex')).toBe('80000000');
    expect(recordMark(0x7fffffff).toString('hex')).toBe('ffffffff');
    expect(() => recordMark(0x80000000)).toThrow(RangeError);
  });
});
