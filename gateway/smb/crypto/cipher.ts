/**
 * SMB 3.x message encryption ciphers (MS-SMB2 §2.2.3.1.2 CipherId, §3.1.4.3): AES-CCM with an
 * 11-byte nonce and AES-GCM with a 12-byte nonce, 128- or 256-bit keys, always a 16-byte tag.
 * node:crypto provides all four; this file only fixes the parameters SMB uses.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export type CipherName = 'aes-128-ccm' | 'aes-128-gcm' | 'aes-256-ccm' | 'aes-256-gcm';

/** §2.2.3.1.2: the CipherId values of the ENCRYPTION_CAPABILITIES context. */
export const CipherId: Readonly<Record<CipherName, number>> = {
  'aes-128-ccm': 0x0001,
  'aes-128-gcm': 0x0002,
  'aes-256-ccm': 0x0003,
  'aes-256-gcm': 0x0004,
};

export function cipherById(id: number): CipherName | undefined {
  return (Object.keys(CipherId) as CipherName[]).find((n) => CipherId[n] === id);
}

export const TAG_SIZE = 16;

/** §2.2.41: CCM uses the first 11 bytes of the Nonce field, GCM the first 12. */
export function nonceSize(cipher: CipherName): number {
  return cipher.endsWith('ccm') ? 11 : 12;
}

/** Key length in bytes (the KDF's L is 8 times this). */
export function cipherKeySize(cipher: CipherName): number {
  return cipher.startsWith('aes-256') ? 32 : 16;
}

function check(cipher: CipherName, key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== cipherKeySize(cipher))
    throw new RangeError(`${cipher} needs a ${cipherKeySize(cipher)}-byte key`);
  if (nonce.length !== nonceSize(cipher))
    throw new RangeError(`${cipher} needs a ${nonceSize(cipher)}-byte nonce`);
}

/** Encrypts `plaintext` with `aad` authenticated alongside; returns the ciphertext and the tag. */
export function aeadEncrypt(
  cipher: CipherName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  check(cipher, key, nonce);
  if (cipher.endsWith('ccm')) {
    const c = createCipheriv(cipher as 'aes-128-ccm', key, nonce, { authTagLength: TAG_SIZE });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
    return { ciphertext, tag: c.getAuthTag() };
  }
  const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG_SIZE });
  c.setAAD(aad);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return { ciphertext, tag: c.getAuthTag() };
}

/** The plaintext, or undefined when the tag does not match (tampered, wrong key or wrong nonce). */
export function aeadDecrypt(
  cipher: CipherName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  check(cipher, key, nonce);
  try {
    if (cipher.endsWith('ccm')) {
      const d = createDecipheriv(cipher as 'aes-128-ccm', key, nonce, { authTagLength: TAG_SIZE });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: ciphertext.length });
      return Buffer.concat([d.update(ciphertext), d.final()]);
    }
    const d = createDecipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG_SIZE });
    d.setAuthTag(tag);
    d.setAAD(aad);
    return Buffer.concat([d.update(ciphertext), d.final()]);
  } catch {
    return undefined;
  }
}

/**
 * AES-GMAC (RFC 4543) as SMB 3.1.1 signs with it: GCM with the message as AAD and no
 * plaintext; the tag is the MAC.
 */
export function aesGmac(key: Uint8Array, nonce: Uint8Array, message: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_SIZE });
  c.setAAD(message);
  c.final();
  return c.getAuthTag();
}
