import { desEncryptBlock, expandDesKey } from '../../../../../gateway/smb/crypto/des';
import { hex } from '../../../../helpers/smb-auth-vectors';

describe('des (single DES on des-ede-ecb, for opt-in NTLMv1)', () => {
  // The classic worked DES example (key 133457799BBCDFF1) and a known-answer pair.
  test.each([
    ['133457799bbcdff1', '0123456789abcdef', '85e813540f0ab405'],
    ['0e329232ea6d0d73', '8787878787878787', '0000000000000000'],
  ])('DES_%s(%s) = %s', (key, pt, ct) => {
    expect(desEncryptBlock(hex(key), hex(pt)).toString('hex')).toBe(ct);
  });

  test('works on a plain node: no legacy provider is needed', () => {
    expect(process.execArgv.join(' ')).not.toContain('openssl-legacy-provider');
    expect(() => desEncryptBlock(Buffer.alloc(8), Buffer.alloc(8))).not.toThrow();
  });

  test('MS-NLMP §6: a 7-byte key is spread 7 bits per byte (parity bit left 0)', () => {
    expect(expandDesKey(hex('ffffffffffffff')).toString('hex')).toBe('fefefefefefefefe');
    expect(expandDesKey(hex('00000000000000')).toString('hex')).toBe('0000000000000000');
    // 0x80 in the first byte is the first key bit; 0x01 in the last is the 56th.
    expect(expandDesKey(hex('80000000000001')).toString('hex')).toBe('8000000000000002');
  });

  test('rejects wrong key and block sizes', () => {
    expect(() => expandDesKey(Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncryptBlock(Buffer.alloc(8), Buffer.alloc(9))).toThrow(RangeError);
  });
});
