/**
 * AES-128-CMAC (RFC 4493) on node:crypto's AES-ECB, the signing algorithm of SMB 3.0, 3.0.2 and
 * (unless the SIGNING_CAPABILITIES context picks another) 3.1.1 (MS-SMB2 §3.1.4.1).
 */
import { createCipheriv } from 'node:crypto';

const BLOCK = 16;
/** RFC 4493 §2.3: the constant Rb for a 128-bit block. */
const RB = 0x87;

function encryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** RFC 4493 §2.3: doubling in GF(2^128) — shift left one bit, XOR Rb if the top bit fell off. */
function double(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i]! << 1) | (i + 1 < BLOCK ? b[i + 1]! >>> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[BLOCK - 1] = out[BLOCK - 1]! ^ RB;
  return out;
}

/** RFC 4493 §2.3 Generate_Subkey: K1 for a complete last block, K2 for a padded one. */
export function cmacSubkeys(key: Uint8Array): { k1: Buffer; k2: Buffer } {
  const l = encryptBlock(key, Buffer.alloc(BLOCK));
  const k1 = double(l);
  return { k1, k2: double(k1) };
}

/** RFC 4493 §2.4: the 16-byte CMAC of `message` under an AES key (16 bytes for SMB). */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError('AES key must be 16, 24 or 32 bytes');
  }
  const { k1, k2 } = cmacSubkeys(key);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  // The last block is XORed with K1 (complete) or padded with 10…0 and XORed with K2.
  const last = Buffer.alloc(BLOCK);
  const tail = message.subarray((n - 1) * BLOCK);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < BLOCK; i++) last[i] = last[i]! ^ sub[i]!;
  // CBC-MAC with a zero IV: the MAC is the last cipher block.
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  if (n > 1) cipher.update(message.subarray(0, (n - 1) * BLOCK));
  return cipher.update(last);
}
