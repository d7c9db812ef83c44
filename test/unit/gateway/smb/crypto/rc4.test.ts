import fc from 'fast-check';
import { Rc4, rc4 } from '../../../../../gateway/smb/crypto/rc4';
import { hex } from '../../../../helpers/smb-auth-vectors';

/** Keystream bytes [offset, offset+16) for a key: RC4 of zeros. */
function keystreamAt(key: Buffer, offset: number): string {
  return rc4(key, Buffer.alloc(offset + 16))
    .subarray(offset)
    .toString('hex');
}

describe('rc4 (RFC 6229 test vectors)', () => {
  // RFC 6229 §2, key length 40 bits, key 0x0102030405.
  test.each([
    [0, 'b2396305f03dc027ccc3524a0a1118a8'],
    [16, '6982944f18fc82d589c403a47a0d0919'],
    [240, '28cb1132c96ce286421dcaadb8b69eae'],
    [256, '1cfcf62b03eddb641d77dfcf7f8d8c93'],
    [496, '42b7d0cdd918a8a33dd51781c81f4041'],
    [512, '6459844432a7da923cfb3eb4980661f6'],
    [752, 'ec10327bde2beefd18f9277680457e22'],
    [768, 'eb62638d4f0ba1fe9fca20e05bf8ff2b'],
    [1008, '45129048e6a0ed0b56b490338f078da5'],
    [1024, '30abbcc7c20b01609f23ee2d5f6bb7df'],
  ])('40-bit key 0102030405, offset %i', (offset, stream) => {
    expect(keystreamAt(hex('0102030405'), offset)).toBe(stream);
  });

  test('RFC 6229: 128-bit key 0102…10 at offset 0', () => {
    expect(keystreamAt(hex('0102030405060708090a0b0c0d0e0f10'), 0)).toBe('9ac7cc9a609d1ef7b2932899cde41b97');
  });

  test('RFC 6229: 192-bit key 0102…18 at offset 0', () => {
    expect(keystreamAt(hex('0102030405060708090a0b0c0d0e0f101112131415161718'), 0)).toBe(
      '0595e57fe5f0bb3c706edac8a4b2db11',
    );
  });

  test('RFC 6229: 256-bit key 1ada31d5… at offset 4096', () => {
    const key = hex('1ada31d5cf688221c109163908ebe51debb46227c6cc8b37641910833222772a');
    expect(keystreamAt(key, 4096)).toBe('370b1c1fe655916d97fd0d47ca1d72b8');
  });

  test('a stream continues across update calls (the NTLM sealing handle relies on it)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(200),
        (key, data, cut) => {
          const at = Math.min(cut, data.length);
          const s = new Rc4(key);
          const split = Buffer.concat([s.update(data.subarray(0, at)), s.update(data.subarray(at))]);
          expect(split.equals(rc4(key, data))).toBe(true);
        },
      ),
    );
  });

  test('encrypting twice with the same key gives the plaintext back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.uint8Array({ maxLength: 100 }),
        (key, data) => {
          expect(rc4(key, rc4(key, data)).equals(Buffer.from(data))).toBe(true);
        },
      ),
    );
  });

  test('rejects an empty key', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(RangeError);
  });
});
