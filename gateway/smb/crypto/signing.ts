/**
 * SMB2 message signing (MS-SMB2 §3.1.4.1, checked on receipt per §3.1.5.1).
 *
 * The signature is the 16-byte Signature field at header offset 48, computed over the whole
 * message (header and body; in a compound, one member up to its NextCommand padding) with that
 * field zeroed:
 * - 2.0.2 and 2.1: HMAC-SHA256 keyed with the session key, truncated to 16 bytes;
 * - 3.0, 3.0.2, 3.1.1: AES-128-CMAC keyed with the derived signing key (see kdf.ts);
 * - 3.1.1 when SIGNING_CAPABILITIES chose it: AES-128-GMAC under the same key, its 12-byte nonce
 *   the MessageId followed by a 32-bit word whose bit 0 says "sent by the server" and bit 1
 *   "this is a CANCEL request" (§3.1.4.1).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { aesCmac } from './aes-cmac';
import { aesGmac } from './cipher';

export type SigningAlgorithm = 'hmac-sha256' | 'aes-cmac' | 'aes-gmac';

export const SMB2_HEADER_SIZE = 64;
export const SIGNATURE_OFFSET = 48;
export const SIGNATURE_SIZE = 16;
/** MS-SMB2 §2.2.1: Flags is the 32-bit field at offset 16; SMB2_FLAGS_SIGNED is 0x00000008. */
export const FLAGS_OFFSET = 16;
export const SMB2_FLAGS_SIGNED = 0x00000008;
const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
const COMMAND_OFFSET = 12;
const MESSAGE_ID_OFFSET = 24;
const SMB2_CANCEL = 0x000c;

/** §3.1.4.1: the AES-GMAC nonce of a message, from its own header. */
export function gmacNonce(message: Buffer): Buffer {
  const nonce = Buffer.alloc(12);
  message.copy(nonce, 0, MESSAGE_ID_OFFSET, MESSAGE_ID_OFFSET + 8);
  const fromServer = (message.readUInt32LE(FLAGS_OFFSET) & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
  const cancel = message.readUInt16LE(COMMAND_OFFSET) === SMB2_CANCEL;
  nonce.writeUInt32LE((fromServer ? 1 : 0) | (cancel ? 2 : 0), 8);
  return nonce;
}

/** The default signing algorithm of a dialect (3.1.1 may negotiate another, which we don't offer). */
export function signingAlgorithmFor(dialect: number): SigningAlgorithm {
  return dialect >= 0x0300 ? 'aes-cmac' : 'hmac-sha256';
}

/** The 16-byte signature of `message` as if its Signature field were zero; `message` is unchanged. */
export function computeSignature(message: Buffer, key: Uint8Array, algorithm: SigningAlgorithm): Buffer {
  if (message.length < SMB2_HEADER_SIZE) throw new RangeError('an SMB2 message is at least 64 bytes');
  if (algorithm === 'hmac-sha256') {
    return createHmac('sha256', key)
      .update(message.subarray(0, SIGNATURE_OFFSET))
      .update(Buffer.alloc(SIGNATURE_SIZE))
      .update(message.subarray(SIGNATURE_OFFSET + SIGNATURE_SIZE))
      .digest()
      .subarray(0, SIGNATURE_SIZE);
  }
  // CMAC and GMAC are computed in one pass over the buffer: zero the field in place, then put it back.
  const saved = Buffer.from(message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_SIZE));
  message.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_SIZE);
  try {
    return algorithm === 'aes-gmac' ? aesGmac(key, gmacNonce(message), message) : aesCmac(key, message);
  } finally {
    saved.copy(message, SIGNATURE_OFFSET);
  }
}

/**
 * Signs `message` in place: sets SMB2_FLAGS_SIGNED (the flag is covered by the signature, so it
 * must be set first) and writes the signature at offset 48.
 */
export function signMessage(message: Buffer, key: Uint8Array, algorithm: SigningAlgorithm): void {
  if (message.length < SMB2_HEADER_SIZE) throw new RangeError('an SMB2 message is at least 64 bytes');
  message.writeUInt32LE((message.readUInt32LE(FLAGS_OFFSET) | SMB2_FLAGS_SIGNED) >>> 0, FLAGS_OFFSET);
  computeSignature(message, key, algorithm).copy(message, SIGNATURE_OFFSET);
}

/**
 * True when the message's Signature field matches (constant-time compare). A message shorter
 * than a header is simply not valid: this never throws on received bytes.
 */
export function verifySignature(message: Buffer, key: Uint8Array, algorithm: SigningAlgorithm): boolean {
  if (message.length < SMB2_HEADER_SIZE) return false;
  const expected = computeSignature(message, key, algorithm);
  return timingSafeEqual(expected, message.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + SIGNATURE_SIZE));
}
