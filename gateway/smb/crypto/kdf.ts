/**
 * SMB 3.x key derivation (MS-SMB2 §3.1.4.2): NIST SP800-108 KDF in counter mode, PRF HMAC-SHA256,
 * r = 32 (a 4-byte big-endian counter), L = 128 or 256 bits. SMB's labels and contexts are C
 * strings whose terminating NUL is part of the value, so the fixed input carries two zero bytes
 * after the label: the label's own NUL and SP800-108's 0x00 separator.
 *
 * Keys are named from the server's side: the server signs and verifies with `signingKey`,
 * decrypts client→server traffic with `decryptionKey` and encrypts its replies with
 * `encryptionKey` (MS-SMB2 §3.3.5.5.3).
 */
import { createHmac } from 'node:crypto';

/** SP800-108 §5.1 counter mode with HMAC-SHA256: K(i) = PRF(Ki, [i]₂ ‖ Label ‖ 0x00 ‖ Context ‖ [L]₂). */
export function kdfCounterHmacSha256(
  key: Uint8Array,
  label: Uint8Array,
  context: Uint8Array,
  bits: number,
): Buffer {
  if (bits <= 0 || bits % 8 !== 0) throw new RangeError('KDF output length must be a positive multiple of 8');
  const l = Buffer.alloc(4);
  l.writeUInt32BE(bits, 0);
  const parts: Buffer[] = [];
  const bytes = bits / 8;
  for (let i = 1, have = 0; have < bytes; i++, have += 32) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i, 0);
    parts.push(
      createHmac('sha256', key)
        .update(counter)
        .update(label)
        .update(Buffer.of(0))
        .update(context)
        .update(l)
        .digest(),
    );
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** A C string as SMB passes it to the KDF: the ASCII bytes and the terminating NUL. */
export function cString(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'latin1');
}

export type Smb3Dialect = 0x0300 | 0x0302 | 0x0311;

export interface Smb3Keys {
  signingKey: Buffer;
  applicationKey: Buffer;
  /** Server → client (the server encrypts with it): ServerOut / SMBS2CCipherKey. */
  encryptionKey: Buffer;
  /** Client → server (the server decrypts with it): ServerIn / SMBC2SCipherKey. */
  decryptionKey: Buffer;
}

export interface DeriveSmb3KeysOptions {
  /** 3.1.1 only: Session.PreauthIntegrityHashValue after the last SESSION_SETUP request (64 bytes). */
  preauthHash?: Uint8Array;
  /** 3.1.1 with AES-256-CCM/GCM: 256-bit cipher keys (MS-SMB2 §3.3.5.5.3); default 128. */
  cipherKeyBits?: 128 | 256;
}

/**
 * MS-SMB2 §3.3.5.5.3: the session's keys for dialect 3.0/3.0.2 (fixed contexts) or 3.1.1 (the
 * preauth integrity hash as context). `sessionKey` is the first 16 bytes of the GSS session key
 * (for NTLM, the exported session key).
 */
export function deriveSmb3Keys(
  sessionKey: Uint8Array,
  dialect: Smb3Dialect,
  opts: DeriveSmb3KeysOptions = {},
): Smb3Keys {
  const key = sessionKey.subarray(0, 16);
  if (dialect === 0x0311) {
    const ctx = opts.preauthHash;
    if (ctx?.length !== 64) throw new RangeError('SMB 3.1.1 key derivation needs the 64-byte preauth hash');
    const cipherBits = opts.cipherKeyBits ?? 128;
    return {
      signingKey: kdfCounterHmacSha256(key, cString('SMBSigningKey'), ctx, 128),
      applicationKey: kdfCounterHmacSha256(key, cString('SMBAppKey'), ctx, 128),
      encryptionKey: kdfCounterHmacSha256(key, cString('SMBS2CCipherKey'), ctx, cipherBits),
      decryptionKey: kdfCounterHmacSha256(key, cString('SMBC2SCipherKey'), ctx, cipherBits),
    };
  }
  return {
    signingKey: kdfCounterHmacSha256(key, cString('SMB2AESCMAC'), cString('SmbSign'), 128),
    applicationKey: kdfCounterHmacSha256(key, cString('SMB2APP'), cString('SmbRpc'), 128),
    encryptionKey: kdfCounterHmacSha256(key, cString('SMB2AESCCM'), cString('ServerOut'), 128),
    decryptionKey: kdfCounterHmacSha256(key, cString('SMB2AESCCM'), cString('ServerIn '), 128),
  };
}
