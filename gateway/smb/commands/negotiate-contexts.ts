/**
 * SMB 3.1.1 negotiate contexts (MS-SMB2 §2.2.3.1, §2.2.4.1): a list after the NEGOTIATE
 * request's dialects, each 8-byte aligned — ContextType (2), DataLength (2), Reserved (4),
 * Data. We read PREAUTH_INTEGRITY_CAPABILITIES (we take SHA-512, the only one defined),
 * SIGNING_CAPABILITIES (the first algorithm the client lists of AES-GMAC, AES-CMAC and
 * HMAC-SHA256) and ENCRYPTION_CAPABILITIES (the first cipher the client lists of the four AES
 * ones), and answer each of them. COMPRESSION is read past and not answered, so it is not
 * negotiated (§3.3.5.4: the server omits a context it does not support).
 */
import { CipherId, type CipherName, cipherById, type SigningAlgorithm } from '../crypto';
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
  /** The client sent ENCRYPTION_CAPABILITIES: the first cipher it lists that we know, or null for none. */
  readonly cipher?: CipherName | null;
}

const SIGNING_BY_ID: Readonly<Record<number, SigningAlgorithm>> = {
  [SigningAlgorithmId.HMAC_SHA256]: 'hmac-sha256',
  [SigningAlgorithmId.AES_CMAC]: 'aes-cmac',
  [SigningAlgorithmId.AES_GMAC]: 'aes-gmac',
};

const bad = (why: string) => new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `negotiate context: ${why}`);

/** Reads the contexts at `offset` (from the header) of `message`; enforces §3.3.5.4's rules. */
export function parseNegotiateContexts(message: Buffer, offset: number, count: number): ClientContexts {
  if (count === 0) throw bad('3.1.1 without any (PREAUTH_INTEGRITY is required)');
  if (count > MAX_CONTEXTS) throw bad(`${count} contexts`);
  const seen = new Set<number>();
  let preauthOk = false;
  let signing: SigningAlgorithm | undefined;
  let signingOffered = false;
  let cipher: CipherName | null | undefined;
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
      signingOffered = true;
      for (let k = 0; k < n && !signing; k++) signing = SIGNING_BY_ID[data.readUInt16LE(2 + 2 * k)];
    } else if (type === NegotiateContextType.ENCRYPTION_CAPABILITIES) {
      if (data.length < 2) throw bad('short ENCRYPTION_CAPABILITIES');
      const n = data.readUInt16LE(0);
      if (n === 0 || data.length < 2 + 2 * n) throw bad('ENCRYPTION_CAPABILITIES cipher list');
      cipher = null;
      for (let k = 0; k < n && !cipher; k++) cipher = cipherById(data.readUInt16LE(2 + 2 * k)) ?? null;
    }
    at += 8 + data.length;
  }
  if (!preauthOk) throw bad('no PREAUTH_INTEGRITY_CAPABILITIES');
  return {
    signingOffered,
    ...(signing ? { signing } : {}),
    ...(cipher !== undefined ? { cipher } : {}),
  };
}

function context(type: number, data: Buffer): Buffer {
  const b = Buffer.alloc(8 + data.length);
  b.writeUInt16LE(type, 0);
  b.writeUInt16LE(data.length, 2);
  data.copy(b, 8);
  return b;
}

const SIGNING_ID: Readonly<Record<SigningAlgorithm, number>> = {
  'hmac-sha256': SigningAlgorithmId.HMAC_SHA256,
  'aes-cmac': SigningAlgorithmId.AES_CMAC,
  'aes-gmac': SigningAlgorithmId.AES_GMAC,
};

/**
 * Our answer: PREAUTH (SHA-512 + a 32-byte salt); when asked, SIGNING with one algorithm; when
 * asked and encryption is on, ENCRYPTION with one cipher (CipherId 0 = none in common, §3.3.5.4).
 */
export function buildNegotiateContexts(
  salt: Buffer,
  signing: SigningAlgorithm | undefined,
  cipher?: CipherName | null,
): Buffer[] {
  const pre = Buffer.alloc(6 + salt.length);
  pre.writeUInt16LE(1, 0);
  pre.writeUInt16LE(salt.length, 2);
  pre.writeUInt16LE(HASH_SHA512, 4);
  salt.copy(pre, 6);
  const out = [context(NegotiateContextType.PREAUTH_INTEGRITY_CAPABILITIES, pre)];
  if (signing) {
    const s = Buffer.alloc(4);
    s.writeUInt16LE(1, 0);
    s.writeUInt16LE(SIGNING_ID[signing], 2);
    out.push(context(NegotiateContextType.SIGNING_CAPABILITIES, s));
  }
  if (cipher !== undefined) {
    const e = Buffer.alloc(4);
    e.writeUInt16LE(1, 0);
    e.writeUInt16LE(cipher ? CipherId[cipher] : 0, 2);
    out.push(context(NegotiateContextType.ENCRYPTION_CAPABILITIES, e));
  }
  return out;
}
