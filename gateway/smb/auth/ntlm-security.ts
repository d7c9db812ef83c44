/**
 * NTLMSSP session security with extended session security (MS-NLMP §3.4): the per-direction
 * signing and sealing keys (§3.4.5.2 SIGNKEY, §3.4.5.3 SEALKEY) and NTLMSSP_MESSAGE_SIGNATURE
 * version 1 with ESS (§2.2.2.9.1, §3.4.4.2):
 *
 *   Version (u32 = 1) ‖ Checksum (8) ‖ SeqNum (u32)
 *   Checksum = HMAC-MD5(SignKey, SeqNum ‖ Message)[0..8], RC4-encrypted with the direction's
 *   sealing handle when KEY_EXCH was negotiated.
 *
 * The sealing handles are RC4 streams kept for the life of the context, one per direction. SMB
 * uses all this exactly twice, for SPNEGO's mechListMIC (GSS_GetMIC over the DER mechTypes list);
 * seal/unseal are here because they share the handle and the spec's test vectors exercise them.
 * Without extended session security NTLM uses a CRC32 signature, which we do not implement.
 */
import { Rc4 } from '../crypto/rc4';
import { NtlmFlag } from './ntlm-constants';
import { bytesEqual, hmacMd5, md5 } from './ntlm-crypto';

const F = NtlmFlag;
const magic = (s: string): Buffer => Buffer.from(`session key to ${s} key magic constant\0`, 'latin1');
const C2S_SIGN = magic('client-to-server signing');
const S2C_SIGN = magic('server-to-client signing');
const C2S_SEAL = magic('client-to-server sealing');
const S2C_SEAL = magic('server-to-client sealing');

export interface NtlmDirectionKeys {
  signKey: Buffer;
  sealKey: Buffer;
}

/**
 * §3.4.5.2–3 with ESS: SignKey = MD5(ExportedSessionKey ‖ magic); SealKey = MD5(K ‖ magic) where
 * K is the whole key with NEGOTIATE_128, its first 7 bytes with NEGOTIATE_56, else its first 5.
 */
export function ntlmDirectionKeys(
  exportedSessionKey: Buffer,
  flags: number,
  clientToServer: boolean,
): NtlmDirectionKeys {
  const k = exportedSessionKey;
  const sealBase =
    flags & F.NTLMSSP_NEGOTIATE_128
      ? k
      : flags & F.NTLMSSP_NEGOTIATE_56
        ? k.subarray(0, 7)
        : k.subarray(0, 5);
  return {
    signKey: md5(k, clientToServer ? C2S_SIGN : S2C_SIGN),
    sealKey: md5(sealBase, clientToServer ? C2S_SEAL : S2C_SEAL),
  };
}

class Direction {
  readonly keys: NtlmDirectionKeys;
  readonly handle: Rc4;
  seq = 0;

  constructor(exportedSessionKey: Buffer, flags: number, clientToServer: boolean) {
    this.keys = ntlmDirectionKeys(exportedSessionKey, flags, clientToServer);
    this.handle = new Rc4(this.keys.sealKey);
  }
}

/**
 * One side of an established NTLM context. `role` says which side we are: a server signs with
 * the server-to-client keys and verifies with the client-to-server keys; a client the reverse.
 */
export class NtlmSecurityContext {
  private readonly out: Direction;
  private readonly in: Direction;
  private readonly keyExch: boolean;

  constructor(exportedSessionKey: Buffer, flags: number, role: 'server' | 'client') {
    if (!(flags & F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
      throw new RangeError('NTLM signing without extended session security is not supported');
    }
    this.keyExch = (flags & F.NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0;
    this.out = new Direction(exportedSessionKey, flags, role === 'client');
    this.in = new Direction(exportedSessionKey, flags, role !== 'client');
  }

  private signature(d: Direction, message: Uint8Array): Buffer {
    const sig = Buffer.alloc(16);
    sig.writeUInt32LE(1, 0);
    sig.writeUInt32LE(d.seq >>> 0, 12);
    let checksum = hmacMd5(d.keys.signKey, sig.subarray(12, 16), message).subarray(0, 8);
    if (this.keyExch) checksum = d.handle.update(checksum);
    checksum.copy(sig, 4);
    d.seq = (d.seq + 1) >>> 0;
    return sig;
  }

  /** GSS_GetMICEx: the 16-byte signature of an outgoing message (advances our sequence number). */
  sign(message: Uint8Array): Buffer {
    return this.signature(this.out, message);
  }

  /** GSS_VerifyMICEx for an incoming message: constant-time check (advances the peer's sequence number). */
  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return signature.length === 16 && bytesEqual(this.signature(this.in, message), signature);
  }

  /** GSS_WrapEx: RC4-seal with our handle, then sign the plaintext (the checksum continues the same stream). */
  seal(message: Uint8Array): { sealed: Buffer; signature: Buffer } {
    const sealed = this.out.handle.update(message);
    return { sealed, signature: this.signature(this.out, message) };
  }

  /** GSS_UnwrapEx: unseal with the peer's handle; `ok` is false if the signature does not match. */
  unseal(sealed: Uint8Array, signature: Uint8Array): { message: Buffer; ok: boolean } {
    const message = this.in.handle.update(sealed);
    return { message, ok: this.verify(message, signature) };
  }
}
