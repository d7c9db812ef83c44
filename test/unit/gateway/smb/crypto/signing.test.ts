import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  computeSignature,
  SMB2_FLAGS_SIGNED,
  signingAlgorithmFor,
  signMessage,
  verifySignature,
} from '../../../../../gateway/smb/crypto/signing';
import { WIN311 } from '../../../../helpers/smb-auth-vectors';

/** A copy of a message with its signature field zeroed and the SIGNED flag cleared. */
function unsigned(msg: Buffer): Buffer {
  const m = Buffer.from(msg);
  m.fill(0, 48, 64);
  m.writeUInt32LE(m.readUInt32LE(16) & ~SMB2_FLAGS_SIGNED, 16);
  return m;
}

describe('SMB2 signing (MS-SMB2 §3.1.4.1)', () => {
  test('AES-128-CMAC, Windows 3.1.1: the final SESSION_SETUP response verifies under the derived signing key', () => {
    expect(verifySignature(WIN311.sessionSetupResponse2, WIN311.keys.signingKey, 'aes-cmac')).toBe(true);
    expect(computeSignature(WIN311.sessionSetupResponse2, WIN311.keys.signingKey, 'aes-cmac')).toEqual(
      WIN311.finalResponseSignature,
    );
  });

  test('AES-128-CMAC, Windows 3.1.1: signMessage reproduces the signature and sets SMB2_FLAGS_SIGNED', () => {
    const m = unsigned(WIN311.sessionSetupResponse2);
    signMessage(m, WIN311.keys.signingKey, 'aes-cmac');
    expect(m).toEqual(WIN311.sessionSetupResponse2);
  });

  test("AES-128-CMAC, Windows 3.1.1 binding: the channel's final response under the channel key, the binding requests under the session key", () => {
    const c = WIN311.channel2;
    expect(verifySignature(c.sessionSetupResponse2, c.signingKey, 'aes-cmac')).toBe(true);
    expect(verifySignature(c.sessionSetupRequest1, WIN311.keys.signingKey, 'aes-cmac')).toBe(true);
    expect(verifySignature(c.sessionSetupResponse1, WIN311.keys.signingKey, 'aes-cmac')).toBe(true);
    expect(verifySignature(c.sessionSetupRequest2, WIN311.keys.signingKey, 'aes-cmac')).toBe(true);
  });

  test('HMAC-SHA256 (2.0.2/2.1): the first 16 bytes of HMAC-SHA256(session key, flagged message with zero signature)', () => {
    const m = unsigned(WIN311.sessionSetupResponse2);
    signMessage(m, WIN311.sessionKey, 'hmac-sha256');
    const input = unsigned(m);
    input.writeUInt32LE(input.readUInt32LE(16) | SMB2_FLAGS_SIGNED, 16);
    expect(m.readUInt32LE(16) & SMB2_FLAGS_SIGNED).toBe(SMB2_FLAGS_SIGNED);
    expect(m.subarray(48, 64)).toEqual(
      createHmac('sha256', WIN311.sessionKey).update(input).digest().subarray(0, 16),
    );
    expect(verifySignature(m, WIN311.sessionKey, 'hmac-sha256')).toBe(true);
  });

  test('any change to a signed message (header, body, signature) fails verification', () => {
    for (const alg of ['hmac-sha256', 'aes-cmac'] as const) {
      const m = unsigned(WIN311.sessionSetupResponse2);
      signMessage(m, WIN311.keys.signingKey, alg);
      fc.assert(
        fc.property(fc.nat(m.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
          const t = Buffer.from(m);
          t[at] = t[at]! ^ x;
          expect(verifySignature(t, WIN311.keys.signingKey, alg)).toBe(false);
        }),
        { numRuns: 150 },
      );
    }
  });

  test('computing and verifying leave the message unchanged; a wrong key fails', () => {
    const m = Buffer.from(WIN311.sessionSetupResponse2);
    computeSignature(m, WIN311.keys.signingKey, 'aes-cmac');
    verifySignature(m, WIN311.keys.signingKey, 'aes-cmac');
    expect(m).toEqual(WIN311.sessionSetupResponse2);
    expect(verifySignature(m, WIN311.sessionKey, 'aes-cmac')).toBe(false);
  });

  test('a message shorter than the 64-byte header never verifies and cannot be signed', () => {
    expect(verifySignature(Buffer.alloc(63), WIN311.sessionKey, 'aes-cmac')).toBe(false);
    expect(() => signMessage(Buffer.alloc(10), WIN311.sessionKey, 'hmac-sha256')).toThrow(RangeError);
  });

  test('the dialect picks the algorithm: HMAC-SHA256 below 3.0, AES-CMAC from 3.0', () => {
    expect(signingAlgorithmFor(0x0202)).toBe('hmac-sha256');
    expect(signingAlgorithmFor(0x0210)).toBe('hmac-sha256');
    expect(signingAlgorithmFor(0x0300)).toBe('aes-cmac');
    expect(signingAlgorithmFor(0x0302)).toBe('aes-cmac');
    expect(signingAlgorithmFor(0x0311)).toBe('aes-cmac');
  });
});
