import { aesCmac, cmacSubkeys } from '../../../../../gateway/smb/crypto/aes-cmac';
import { hex } from '../../../../helpers/smb-auth-vectors';

const K = hex('2b7e151628aed2a6abf7158809cf4f3c');
const M = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);

describe('aesCmac (RFC 4493)', () => {
  test('RFC 4493 §4: subkeys K1 and K2', () => {
    const { k1, k2 } = cmacSubkeys(K);
    expect(k1.toString('hex')).toBe('fbeed618357133667c85e08f7236a8de');
    expect(k2.toString('hex')).toBe('f7ddac306ae266ccf90bc11ee46d513b');
  });

  test.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('RFC 4493 §4: example with a %i-byte message', (len, mac) => {
    expect(aesCmac(K, M.subarray(0, len)).toString('hex')).toBe(mac);
  });

  test('does not modify its input', () => {
    const m = Buffer.from(M);
    aesCmac(K, m);
    expect(m.equals(M)).toBe(true);
  });

  test('rejects a key that is not an AES key size', () => {
    expect(() => aesCmac(Buffer.alloc(15), M)).toThrow(RangeError);
  });
});
