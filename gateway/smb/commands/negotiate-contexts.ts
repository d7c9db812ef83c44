/**
 * SMB 3.1.1 negotiate contexts (MS-SMB2 §2.2.3.1, §2.2.4.1): a list after the NEGOTIATE
 * request's dialects, each 8-byte aligned — ContextType (2), DataLength (2), Reserved (4),
 * Data. We read PREAUTH_INTEGRITY_CAPABILITIES (we take SHA-512, the only one defined) and
 * SIGNING_CAPABILITIES (we take AES-CMAC, else HMAC-SHA256; AES-GMAC is not implemented), and
 * answer those two. ENCRYPTION and COMPRESSION are read past and not answered, so neither is
 * negotiated (§3.3.5.4: the server omits a context it does not support).
 */
import type { SigningAlgorithm } from '../crypto';
import { NtStatus, SmbError } from '../ntstatus';
import { align8, bufferAt } from '../wire';

export const NegotiateContextType = {
  PREAUTH_INTEGRITY_CAPABILITIES: 0x0001,
  ENCRYPTION_CAPABILITIES: 0x0002,
  COMPRESSION_CAPABILITIES: 0x0003,
  NETNAME_NEGOTIATE_CONTEXT_ID: 0x0005,
  TRANSPORT_CAPABILITIES: 0x0006,
  RDMA_TRANSFORM_CAPABILITIES: 0x0007,
  SIGNING_CAPABILITIES: 0x0008,
} as const;

export const HASH_SHA512 = 0x0001;
/** §2.2.3.1.7 SigningAlgorithms. */
export const SigningAlgorithmId = { HMAC_SHA256: 0x0000, AES_CMAC: 0x0001, AES_GMAC: 0x0002 } as const;

/** A client sending more than this many contexts is not a real client. */
const MAX_CONTEXTS = 32;

export interface ClientContexts {
  readonly signing?: SigningAlgorithm;
  /** The client sent SIGNING_CAPABILITIES (so we must answer one). */
  readonly signingOffered: boolean;
}

const bad = (why: string) => new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `negotiate context: ${why}`);

/** Reads the contexts at `offset` (from the header) of `message`; enforces §3.3.5.4's rules. */
export function parseNegotiateContexts(message: Buffer, offset: number, count: number): ClientContexts {
  if (count === 0) throw bad('3.1.1 without any (PREAUTH_INTEGRITY is required)');
  if (count > MAX_CONTEXTS) throw bad(`${count} contexts`);
  const seen = new Set<number>();
  let preauthOk = false;
  let signing: SigningAlgorithm | undefined;
  let signingOffered = false;
  let at = offset;
  for (let i = 0; i < count; i++) {
    at = align8(at);
    const head = bufferAt(message, at, 8, 'negotiate context header');
    const type = head.readUInt16LE(0);
    const data = bufferAt(message, at + 8, head.readUInt16LE(2), 'negotiate context data');
    if (seen.has(type) && type !== NegotiateContextType.NETNAME_NEGOTIATE_CONTEXT_ID)
      throw bad(`context type ${type} twice`);
    seen.add(type);
    if (type === NegotiateContextType.PREAUTH_INTEGRITY_CAPABILITIES) {
      if (data.length < 4) throw bad('short PREAUTH_INTEGRITY_CAPABILITIES');
      const n = data.readUInt16LE(0);
      if (n === 0 || data.length < 4 + 2 * n) throw bad('PREAUTH_INTEGRITY_CAPABILITIES hash list');
      for (let k = 0; k < n; k++) if (data.readUInt16LE(4 + 2 * k) === HASH_SHA512) preauthOk = true;
      if (!preauthOk)
        throw new SmbError(NtStatus.STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP, 'client offers no SHA-512');
    } else if (type === NegotiateContextType.SIGNING_CAPABILITIES) {
      if (data.length < 2) throw bad('short SIGNING_CAPABILITIES');
      const n = data.readUInt16LE(0);
      if (n === 0 || data.length < 2 + 2 * n) throw bad('SIGNING_CAPABILITIES algorithm list');
      const algs = new Set<number>();
      for (let k = 0; k < n; k++) algs.add(data.readUInt16LE(2 + 2 * k));
      signingOffered = true;
      signing = algs.has(SigningAlgorithmId.AES_CMAC)
        ? 'aes-cmac'
        : algs.has(SigningAlgorithmId.HMAC_SHA256)
          ? 'hmac-sha256'
          : undefined;
    }
    at += 8 + data.length;
  }
  if (!preauthOk) throw bad('no PREAUTH_INTEGRITY_CAPABILITIES');
  return signing ? { signing, signingOffered } : { signingOffered };
}

function context(type: number, data: Buffer): Buffer {
  const b = Buffer.alloc(8 + data.length);
  b.writeUInt16LE(type, 0);
  b.writeUInt16LE(data.length, 2);
  data.copy(b, 8);
  return b;
}

/** Our answer: PREAUTH (SHA-512 + a 32-byte salt) and, when asked, SIGNING with one algorithm. */
export function buildNegotiateContexts(salt: Buffer, signing: SigningAlgorithm | undefined): Buffer[] {
  const pre = Buffer.alloc(6 + salt.length);
  pre.writeUInt16LE(1, 0);
  pre.writeUInt16LE(salt.length, 2);
  pre.writeUInt16LE(HASH_SHA512, 4);
  salt.copy(pre, 6);
  const out = [context(NegotiateContextType.PREAUTH_INTEGRITY_CAPABILITIES, pre)];
  if (signing) {
    const s = Buffer.alloc(4);
    s.writeUInt16LE(1, 0);
    s.writeUInt16LE(signing === 'aes-cmac' ? SigningAlgorithmId.AES_CMAC : SigningAlgorithmId.HMAC_SHA256, 2);
    out.push(context(NegotiateContextType.SIGNING_CAPABILITIES, s));
  }
  return out;
}
