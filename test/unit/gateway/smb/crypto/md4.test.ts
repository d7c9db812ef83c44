import fc from 'fast-check';
import { md4 as md4Wasm } from 'hash-wasm';
import { md4 } from '../../../../../gateway/smb/crypto/md4';

describe('md4 (RFC 1320)', () => {
  // RFC 1320 Appendix A.5 test suite.
  test.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ])('RFC 1320 A.5: MD4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });

  test('MS-NLMP 4.2.2.1.1: the NT hash of "Password" is MD4 of its UTF-16LE bytes', () => {
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });

  test('padding boundaries (55, 56, 63, 64, 119, 120 bytes) agree with hash-wasm', async () => {
    for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 128]) {
      const data = Buffer.alloc(n, n);
      expect(md4(data).toString('hex')).toBe(await md4Wasm(data));
    }
  });

  test('agrees with hash-wasm (an independent implementation) on random inputs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (data) => {
        expect(md4(data).toString('hex')).toBe(await md4Wasm(data));
      }),
      { numRuns: 200 },
    );
  });
});
