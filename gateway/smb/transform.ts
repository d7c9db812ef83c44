/**
 * SMB 3.x encryption on the wire (MS-SMB2 §2.2.41 TRANSFORM_HEADER, §3.1.4.3 encrypting,
 * §3.3.5.2.1.1 decrypting): an encrypted frame is a 52-byte transform header followed by the
 * ciphertext of one SMB2 message or of a whole compound chain.
 *
 *   0 ProtocolId 0xFD 'S' 'M' 'B'   4 Signature (the AEAD tag, 16)   20 Nonce (16; CCM uses
 *   11 bytes, GCM 12, the rest zero)   36 OriginalMessageSize   40 Reserved (2)
 *   42 Flags/EncryptionAlgorithm (2; 0x0001 = encrypted)   44 SessionId (8)
 *
 * The additional authenticated data is the header from Nonce onwards (32 bytes).
 */
import { randomBytes } from 'node:crypto';
import { aeadDecrypt, aeadEncrypt, type CipherName, nonceSize, TAG_SIZE } from './crypto/cipher';
import { SMB2_TRANSFORM_PROTOCOL_ID } from './header';

export const TRANSFORM_HEADER_SIZE = 52;
const SIGNATURE_OFFSET = 4;
const NONCE_OFFSET = 20;
const SIZE_OFFSET = 36;
const FLAGS_OFFSET = 42;
const SESSION_OFFSET = 44;
/** §2.2.41 Flags (3.1.1) / EncryptionAlgorithm (3.0.x): both spell "encrypted" as 0x0001. */
const TRANSFORM_FLAG_ENCRYPTED = 0x0001;

/** The keys one session encrypts and decrypts with, and its nonce source. */
export interface SessionCipher {
  readonly cipher: CipherName;
  /** Server → client. */
  readonly encryptionKey: Buffer;
  /** Client → server. */
  readonly decryptionKey: Buffer;
  readonly nonces: NonceSource;
}

/**
 * Nonces never repeat within a session (§2.2.41): a random prefix fixed per session and a
 * 64-bit counter after it.
 */
export class NonceSource {
  private counter = 0n;
  private readonly prefix: Buffer;

  constructor(private readonly size: number) {
    this.prefix = randomBytes(size - 8);
  }

  next(): Buffer {
    const n = Buffer.alloc(this.size);
    this.prefix.copy(n, 0);
    n.writeBigUInt64LE(this.counter, this.size - 8);
    this.counter += 1n;
    return n;
  }
}

export function newSessionCipher(
  cipher: CipherName,
  encryptionKey: Buffer,
  decryptionKey: Buffer,
): SessionCipher {
  return { cipher, encryptionKey, decryptionKey, nonces: new NonceSource(nonceSize(cipher)) };
}

/** The SessionId of a transform frame (the frame is at least a header long). */
export function transformSessionId(frame: Buffer): bigint {
  return frame.readBigUInt64LE(SESSION_OFFSET);
}

export class TransformError extends Error {
  override readonly name = 'TransformError';
}

/**
 * The plaintext of a transform frame. Throws TransformError when the header is malformed or the
 * tag does not verify (the caller ends the connection, §3.3.5.2.1.1).
 */
export function decryptTransform(frame: Buffer, keys: SessionCipher): Buffer {
  if (frame.length < TRANSFORM_HEADER_SIZE) throw new TransformError(`${frame.length}-byte transform frame`);
  if (frame.readUInt32LE(0) !== SMB2_TRANSFORM_PROTOCOL_ID)
    throw new TransformError('not a transform header');
  const size = frame.readUInt32LE(SIZE_OFFSET);
  const ciphertext = frame.subarray(TRANSFORM_HEADER_SIZE);
  if (size !== ciphertext.length)
    throw new TransformError(`OriginalMessageSize ${size} for ${ciphertext.length} bytes`);
  if (frame.readUInt16LE(FLAGS_OFFSET) !== TRANSFORM_FLAG_ENCRYPTED)
    throw new TransformError(`transform flags 0x${frame.readUInt16LE(FLAGS_OFFSET).toString(16)}`);
  const nonce = frame.subarray(NONCE_OFFSET, NONCE_OFFSET + nonceSize(keys.cipher));
  const tag = frame.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + TAG_SIZE);
  const aad = frame.subarray(NONCE_OFFSET, TRANSFORM_HEADER_SIZE);
  const plain = aeadDecrypt(keys.cipher, keys.decryptionKey, nonce, aad, ciphertext, tag);
  if (!plain) throw new TransformError('transform signature does not verify');
  return plain;
}

/** `message` (one SMB2 message or a compound) in a transform frame for `sessionId`. */
export function encryptTransform(message: Buffer, sessionId: bigint, keys: SessionCipher): Buffer {
  const out = Buffer.alloc(TRANSFORM_HEADER_SIZE + message.length);
  out.writeUInt32LE(SMB2_TRANSFORM_PROTOCOL_ID, 0);
  keys.nonces.next().copy(out, NONCE_OFFSET);
  out.writeUInt32LE(message.length, SIZE_OFFSET);
  out.writeUInt16LE(TRANSFORM_FLAG_ENCRYPTED, FLAGS_OFFSET);
  out.writeBigUInt64LE(sessionId, SESSION_OFFSET);
  const nonce = out.subarray(NONCE_OFFSET, NONCE_OFFSET + nonceSize(keys.cipher));
  const aad = out.subarray(NONCE_OFFSET, TRANSFORM_HEADER_SIZE);
  const { ciphertext, tag } = aeadEncrypt(keys.cipher, keys.encryptionKey, nonce, aad, message);
  tag.copy(out, SIGNATURE_OFFSET);
  ciphertext.copy(out, TRANSFORM_HEADER_SIZE);
  return out;
}
