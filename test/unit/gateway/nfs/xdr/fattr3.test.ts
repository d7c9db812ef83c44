import { type Attrs, FileType } from '../../../../../gateway/backend/attrs';
import { decodeFattr3, encodeFattr3, FATTR3_SIZE } from '../../../../../gateway/nfs/xdr/fattr3';
import { decodeSattr3, encodeSattr3 } from '../../../../../gateway/nfs/xdr/sattr3';
import { decodeWccData, encodeWccData } from '../../../../../gateway/nfs/xdr/wcc-data';
import { createXdrReader } from '../../../../../gateway/rpc/xdr-reader';
import { createXdrWriter } from '../../../../../gateway/rpc/xdr-writer';

const attrs: Attrs = {
  type: FileType.REG,
  mode: 0o4755,
  nlink: 2,
  uid: 1000,
  gid: 4_000_000_000,
  size: 2 ** 40 + 5,
  used: 8192,
  rdev: { major: 8, minor: 1 },
  fsid: 0x1234_5678_9abc_def0n,
  fileid: 2n ** 63n + 1n,
  atime: { sec: 1_700_000_000, nsec: 1 },
  mtime: { sec: 1_700_000_001, nsec: 999_999_999 },
  ctime: { sec: 1_700_000_002, nsec: 0 },
  birthtime: { sec: 1_700_000_002, nsec: 0 },
};

describe('fattr3 (RFC 1813 §2.6)', () => {
  test('is 84 bytes in RFC field order', () => {
    const w = createXdrWriter();
    encodeFattr3(w, attrs);
    const b = w.finish();
    expect(b.length).toBe(FATTR3_SIZE);
    expect(b.readUInt32BE(0)).toBe(1); // NF3REG
    expect(b.readUInt32BE(4)).toBe(0o4755);
    expect(b.readBigUInt64BE(20)).toBe(BigInt(2 ** 40 + 5)); // size
    expect(b.readUInt32BE(36)).toBe(8); // rdev major
    expect(b.readBigUInt64BE(52)).toBe(2n ** 63n + 1n); // fileid
    expect(b.readUInt32BE(80)).toBe(0); // ctime nsec
  });

  test('decodes back to the same attributes', () => {
    const w = createXdrWriter();
    encodeFattr3(w, attrs);
    expect(decodeFattr3(createXdrReader(w.finish()))).toEqual(attrs);
  });
});

describe('sattr3 and wcc_data', () => {
  test('sattr3 round-trips, with server time and unset fields', () => {
    const w = createXdrWriter();
    const set = { mode: 0o600, size: 0, atime: 'server' as const, mtime: { sec: 5, nsec: 6 } };
    encodeSattr3(w, set);
    expect(decodeSattr3(createXdrReader(w.finish()))).toEqual(set);
  });

  test('a size past 2^53 decodes as Infinity (the procedure answers FBIG)', () => {
    const w = createXdrWriter()
      .bool(false)
      .bool(false)
      .bool(false)
      .bool(true)
      .u64(2n ** 60n)
      .u32(0)
      .u32(0);
    expect(decodeSattr3(createXdrReader(w.finish())).size).toBe(Number.POSITIVE_INFINITY);
  });

  test('an empty wcc is two "no attributes" words', () => {
    const w = createXdrWriter();
    encodeWccData(w, {});
    const b = w.finish();
    expect([...b]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeWccData(createXdrReader(b))).toEqual({ before: undefined, after: undefined });
  });

  test('wcc before/after round-trip', () => {
    const w = createXdrWriter();
    const wcc = { before: { size: 1, mtime: attrs.mtime, ctime: attrs.ctime }, after: attrs };
    encodeWccData(w, wcc);
    expect(decodeWccData(createXdrReader(w.finish()))).toEqual(wcc);
  });
});
