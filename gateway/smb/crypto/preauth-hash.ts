/**
 * SMB 3.1.1 preauthentication integrity (MS-SMB2 §3.3.5.4, §3.3.5.5): a SHA-512 chain over the
 * exact bytes of each NEGOTIATE and SESSION_SETUP message, H' = SHA-512(H ‖ message), starting
 * from 64 zero bytes. The connection's chain covers NEGOTIATE request and response; each new
 * session forks it and adds its SESSION_SETUP requests and every response except the final
 * successful one. The value after the last request is the KDF context (see kdf.ts).
 */
import { createHash } from 'node:crypto';

export const PREAUTH_HASH_SIZE = 64;

/** One chaining step: SHA-512(previous ‖ message). */
export function preauthHashStep(previous: Uint8Array, message: Uint8Array): Buffer {
  return createHash('sha512').update(previous).update(message).digest();
}

/** A running preauth hash (SHA-512 is the only HashAlgorithm defined, id 0x0001). */
export class PreauthHash {
  private current: Buffer;

  constructor(initial?: Uint8Array) {
    if (initial && initial.length !== PREAUTH_HASH_SIZE) throw new RangeError('preauth hash is 64 bytes');
    this.current = initial ? Buffer.from(initial) : Buffer.alloc(PREAUTH_HASH_SIZE);
  }

  /** Adds one whole SMB2 message (header included, no transport framing). */
  update(message: Uint8Array): this {
    this.current = preauthHashStep(this.current, message);
    return this;
  }

  /** A copy of the current value. */
  get value(): Buffer {
    return Buffer.from(this.current);
  }

  /** An independent chain starting at the current value (connection → new session). */
  fork(): PreauthHash {
    return new PreauthHash(this.current);
  }
}
