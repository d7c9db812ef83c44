import { cString, deriveSmb3Keys, kdfCounterHmacSha256 } from '../../../../../gateway/smb/crypto/kdf';
import { hex, WIN311 } from '../../../../helpers/smb-auth-vectors';

const h = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('SMB 3.x key derivation (MS-SMB2 §3.1.4.2, SP800-108 counter mode, HMAC-SHA256)', () => {
  test('SMB 3.0 (Microsoft "Encryption in SMB 3.0: a protocol perspective"): session B454… → all four keys', () => {
    const k = deriveSmb3Keys(hex('B4546771B515F766A86735532DD6C4F0'), 0x0300);
    expect(h(k.signingKey)).toBe('F773CD23C18FD1E08EE510CADA7CF852');
    expect(h(k.applicationKey)).toBe('77432F808CE99156B5BC6A3676D730D1');
    // The post lists the client's keys: its EncryptionKey (ServerIn) is what the server decrypts with.
    expect(h(k.decryptionKey)).toBe('261B72350558F2E9DCF613070383EDBF');
    expect(h(k.encryptionKey)).toBe('8FE2B57EC34D2DB5B1A9727F526BBDB5');
  });

  test('SMB 3.0 multichannel (Microsoft "anatomy of signing and cryptographic keys"): master and bound channel', () => {
    const v = WIN311.smb30;
    const k = deriveSmb3Keys(v.sessionKey, 0x0300);
    expect(k.signingKey).toEqual(v.signingKey);
    expect(k.applicationKey).toEqual(v.applicationKey);
    expect(k.decryptionKey).toEqual(v.clientEncryptionKey);
    expect(k.encryptionKey).toEqual(v.clientDecryptionKey);
    expect(deriveSmb3Keys(v.channel2SessionKey, 0x0302).signingKey).toEqual(v.channel2SigningKey);
  });

  test('SMB 3.1.1: session 270E… with the preauth hash as context → signing, application and cipher keys', () => {
    const k = deriveSmb3Keys(WIN311.sessionKey, 0x0311, { preauthHash: WIN311.preauth[4] });
    expect(k.signingKey).toEqual(WIN311.keys.signingKey);
    expect(k.applicationKey).toEqual(WIN311.keys.applicationKey);
    expect(k.decryptionKey).toEqual(WIN311.keys.clientEncryptionKey);
    expect(k.encryptionKey).toEqual(WIN311.keys.clientDecryptionKey);
  });

  test('SMB 3.1.1 bound channel: its own session key and preauth hash give its signing key', () => {
    const c = WIN311.channel2;
    expect(deriveSmb3Keys(c.sessionKey, 0x0311, { preauthHash: c.preauth[2] }).signingKey).toEqual(
      c.signingKey,
    );
  });

  test('3.1.1 needs the 64-byte preauth hash', () => {
    expect(() => deriveSmb3Keys(WIN311.sessionKey, 0x0311)).toThrow(RangeError);
    expect(() => deriveSmb3Keys(WIN311.sessionKey, 0x0311, { preauthHash: Buffer.alloc(32) })).toThrow(
      RangeError,
    );
  });

  test('256-bit cipher keys (AES-256-CCM/GCM) are 32 bytes and not an extension of the 128-bit ones (L is an input)', () => {
    const k128 = deriveSmb3Keys(WIN311.sessionKey, 0x0311, { preauthHash: WIN311.preauth[4] });
    const k256 = deriveSmb3Keys(WIN311.sessionKey, 0x0311, {
      preauthHash: WIN311.preauth[4],
      cipherKeyBits: 256,
    });
    expect(k256.encryptionKey).toHaveLength(32);
    expect(k256.decryptionKey).toHaveLength(32);
    expect(k256.encryptionKey.subarray(0, 16).equals(k128.encryptionKey)).toBe(false);
    expect(k256.signingKey).toEqual(k128.signingKey);
  });

  test('only the first 16 bytes of a longer session key are used', () => {
    const long = Buffer.concat([WIN311.smb30.sessionKey, Buffer.alloc(16, 0xee)]);
    expect(deriveSmb3Keys(long, 0x0300).signingKey).toEqual(WIN311.smb30.signingKey);
  });

  test('labels and contexts carry their C-string NUL; output is truncated to L bits', () => {
    expect(cString('SmbSign')).toEqual(Buffer.from('SmbSign\0', 'latin1'));
    const k = kdfCounterHmacSha256(Buffer.alloc(16, 1), cString('L'), cString('C'), 384);
    expect(k).toHaveLength(48);
    expect(() => kdfCounterHmacSha256(Buffer.alloc(16), cString('L'), cString('C'), 12)).toThrow(RangeError);
  });
});
