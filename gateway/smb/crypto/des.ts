/**
 * Single DES, needed only for opt-in NTLMv1 (MS-NLMP §6 DES / DESL).
 *
 * Node 20's OpenSSL 3 refuses 'des-ecb' without the legacy provider, but two-key triple DES
 * ('des-ede-ecb') is in the default provider. EDE with K1 = K2 is E_K(D_K(E_K(x))) = E_K(x), so a
 * 16-byte key K‖K gives single DES on a plain `node`, with no extra package.
 */
import { createCipheriv } from 'node:crypto';

/**
 * MS-NLMP §6: a 7-byte (56-bit) key is spread over 8 bytes, 7 bits per byte in the high bits; the
 * low bit is DES parity, which DES ignores (we leave it 0).
 */
export function expandDesKey(key7: Uint8Array): Buffer {
  if (key7.length !== 7) throw new RangeError('a 56-bit DES key is 7 bytes');
  const k = key7;
  return Buffer.from([
    k[0]! & 0xfe,
    ((k[0]! << 7) | (k[1]! >>> 1)) & 0xfe,
    ((k[1]! << 6) | (k[2]! >>> 2)) & 0xfe,
    ((k[2]! << 5) | (k[3]! >>> 3)) & 0xfe,
    ((k[3]! << 4) | (k[4]! >>> 4)) & 0xfe,
    ((k[4]! << 3) | (k[5]! >>> 5)) & 0xfe,
    ((k[5]! << 2) | (k[6]! >>> 6)) & 0xfe,
    (k[6]! << 1) & 0xfe,
  ]);
}

/** DES-encrypts one 8-byte block under an 8-byte key (parity bits ignored). */
export function desEncryptBlock(key8: Uint8Array, block: Uint8Array): Buffer {
  if (key8.length !== 8) throw new RangeError('a DES key is 8 bytes');
  if (block.length !== 8) throw new RangeError('a DES block is 8 bytes');
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key8, key8]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}
