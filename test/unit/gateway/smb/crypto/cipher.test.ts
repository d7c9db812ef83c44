import fc from 'fast-check';
import {
  aeadDecrypt,
  aeadEncrypt,
  aesGmac,
  CipherId,
  type CipherName,
  cipherById,
  cipherKeySize,
  gmacNonce,
  nonceSize,
} from '../../../../../gateway/smb/crypto';
import { computeSignature, signMessage, verifySignature } from '../../../../../gateway/smb/crypto/signing';

const CIPHERS: CipherName[] = ['aes-128-ccm', 'aes-128-gcm', 'aes-256-ccm', 'aes-256-gcm'];
const hex = (s: string) => Buffer.from(s, 'hex');

describe('SMB3 ciphers (MS-SMB2 §2.2.3.1.2, §3.1.4.3)', () => {
  test('CipherId values are the ones MS-SMB2 lists, and map back', () => {
    expect(CipherId).toEqual({ 'aes-128-ccm': 1, 'aes-128-gcm': 2, 'aes-256-ccm': 3, 'aes-256-gcm': 4 });
    for (const c of CIPHERS) expect(cipherById(CipherId[c])).toBe(c);
    expect(cipherById(0)).toBeUndefined();
    expect(cipherById(5)).toBeUndefined();
  });

  test('nonce sizes (§2.2.41: CCM 11 bytes, GCM 12) and key sizes', () => {
    expect(CIPHERS.map(nonceSize)).toEqual([11, 12, 11, 12]);
    expect(CIPHERS.map(cipherKeySize)).toEqual([16, 16, 32, 32]);
  });

  test('AES-128-GCM matches the GCM specification (McGrew & Viega) test case 2', () => {
    const r = aeadEncrypt(
      'aes-128-gcm',
      Buffer.alloc(16),
      Buffer.alloc(12),
      Buffer.alloc(0),
      Buffer.alloc(16),
    );
    expect(r.ciphertext.toString('hex')).toBe('0388dace60b6a392f328c2b971b2fe78');
    expect(r.tag.toString('hex')).toBe('ab6e47d42cec13bdf53a67b21257bddf');
  });

  test('AES-GMAC over an empty message is GCM test case 1', () => {
    expect(aesGmac(Buffer.alloc(16), Buffer.alloc(12), Buffer.alloc(0)).toString('hex')).toBe(
      '58e2fccefa7e3061367f1d57a4e7455a',
    );
  });

  test.each(CIPHERS)(
    '%s: any message and AAD round-trip; a changed byte anywhere fails the tag',
    (cipher) => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.nat(),
          (plain, aad, pick) => {
            const key = Buffer.alloc(cipherKeySize(cipher), 7);
            const nonce = Buffer.alloc(nonceSize(cipher), 3);
            const { ciphertext, tag } = aeadEncrypt(cipher, key, nonce, aad, plain);
            expect(ciphertext.length).toBe(plain.length);
            expect(aeadDecrypt(cipher, key, nonce, aad, ciphertext, tag)).toEqual(Buffer.from(plain));
            const badCt = Buffer.from(ciphertext);
            badCt[pick % badCt.length]! ^= 1;
            expect(aeadDecrypt(cipher, key, nonce, aad, badCt, tag)).toBeUndefined();
            const badAad = Buffer.from(aad);
            badAad[pick % 32]! ^= 0x80;
            expect(aeadDecrypt(cipher, key, nonce, badAad, ciphertext, tag)).toBeUndefined();
            const badTag = Buffer.from(tag);
            badTag[pick % 16]! ^= 2;
            expect(aeadDecrypt(cipher, key, nonce, aad, ciphertext, badTag)).toBeUndefined();
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  test('a wrong key or nonce does not decrypt', () => {
    const key = Buffer.alloc(16, 1);
    const nonce = Buffer.alloc(12, 2);
    const { ciphertext, tag } = aeadEncrypt(
      'aes-128-gcm',
      key,
      nonce,
      Buffer.alloc(32),
      Buffer.from('hello'),
    );
    expect(
      aeadDecrypt('aes-128-gcm', Buffer.alloc(16, 9), nonce, Buffer.alloc(32), ciphertext, tag),
    ).toBeUndefined();
    expect(
      aeadDecrypt('aes-128-gcm', key, Buffer.alloc(12, 5), Buffer.alloc(32), ciphertext, tag),
    ).toBeUndefined();
  });
});

describe('AES-GMAC signing (MS-SMB2 §3.1.4.1)', () => {
  /** A 64-byte header with the given MessageId, Flags and Command, plus a body. */
  function message(mid: bigint, flags: number, command: number): Buffer {
    const m = Buffer.alloc(64 + 24, 0x5a);
    m.writeUInt32LE(0x424d53fe, 0);
    m.writeUInt16LE(command, 12);
    m.writeUInt32LE(flags, 16);
    m.writeBigUInt64LE(mid, 24);
    m.fill(0, 48, 64);
    return m;
  }

  test('nonce: MessageId, then bit 0 = sent by the server, bit 1 = CANCEL request', () => {
    expect(gmacNonce(message(0x0102030405060708n, 0, 0x0d))).toEqual(hex('080706050403020100000000'));
    expect(gmacNonce(message(5n, 1, 0x08))).toEqual(hex('050000000000000001000000'));
    expect(gmacNonce(message(5n, 0, 0x0c))).toEqual(hex('050000000000000002000000'));
  });

  test('the signature is GMAC over the message with a zero Signature field, under that nonce', () => {
    const key = Buffer.alloc(16, 0x11);
    const m = message(42n, 1, 0x05);
    const expected = aesGmac(key, gmacNonce(m), m);
    signMessage(m, key, 'aes-gmac');
    expect(verifySignature(m, key, 'aes-gmac')).toBe(true);
    const zeroed = Buffer.from(m);
    zeroed.fill(0, 48, 64);
    expect(aesGmac(key, gmacNonce(zeroed), zeroed)).toEqual(m.subarray(48, 64));
    expect(expected).not.toEqual(m.subarray(48, 64)); // the SIGNED flag is covered too
  });

  test('the same bytes sent by client and by server sign differently (role bit), a changed MessageId fails', () => {
    const key = Buffer.alloc(16, 0x22);
    const fromClient = message(9n, 0, 0x08);
    expect(computeSignature(message(9n, 0, 0x08), key, 'aes-gmac')).not.toEqual(
      computeSignature(message(9n, 1, 0x08), key, 'aes-gmac'),
    );
    signMessage(fromClient, key, 'aes-gmac');
    fromClient.writeBigUInt64LE(10n, 24);
    expect(verifySignature(fromClient, key, 'aes-gmac')).toBe(false);
  });
});
