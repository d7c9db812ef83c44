/**
 * Per-connection protocol state (MS-SMB2 §3.3.1.7 Per Transport Connection), apart from the
 * socket so commands can be tested without one: the negotiated dialect and what the client
 * sent in NEGOTIATE (FSCTL_VALIDATE_NEGOTIATE_INFO compares against it), the 3.1.1 preauth
 * hash and signing algorithm, the credit window, and the sessions on this connection.
 */
import type { Logger } from 'winston';
import { CreditWindow } from './credits';
import type { CipherName, PreauthHash, SigningAlgorithm } from './crypto';
import { Dialect, type ServerContext } from './server-context';
import type { SmbSession } from './session';
import { encryptTransform } from './transform';

/** MS-SMB2 §2.2.3 SecurityMode. */
export const SMB2_NEGOTIATE_SIGNING_ENABLED = 0x0001;
export const SMB2_NEGOTIATE_SIGNING_REQUIRED = 0x0002;

/** MS-SMB2 §2.2.3 Capabilities. */
export const Smb2Capabilities = {
  DFS: 0x00000001,
  LEASING: 0x00000002,
  LARGE_MTU: 0x00000004,
  MULTI_CHANNEL: 0x00000008,
  PERSISTENT_HANDLES: 0x00000010,
  DIRECTORY_LEASING: 0x00000020,
  ENCRYPTION: 0x00000040,
} as const;

export class ConnectionState {
  /** 0 before NEGOTIATE; Dialect.WILDCARD after an SMB1 multi-protocol NEGOTIATE. */
  dialect = 0;
  clientGuid = Buffer.alloc(16);
  clientCapabilities = 0;
  clientSecurityMode = 0;
  clientDialects: number[] = [];
  serverCapabilities = 0;
  serverSecurityMode = 0;
  /** 3.1.1: the signing algorithm chosen from SMB2_SIGNING_CAPABILITIES (AES-CMAC without one). */
  signingAlgorithm: SigningAlgorithm = 'aes-cmac';
  /**
   * §3.3.1.7 Connection.CipherId: AES-128-CCM for 3.0/3.0.2 with SMB2_GLOBAL_CAP_ENCRYPTION, the
   * ENCRYPTION_CAPABILITIES choice for 3.1.1; undefined when encryption was not negotiated.
   */
  cipher?: CipherName;
  /** 3.1.1: Connection.PreauthIntegrityHashValue over NEGOTIATE request and response. */
  preauth?: PreauthHash;
  readonly credits: CreditWindow;
  readonly sessions = new Map<bigint, SmbSession>();
  /** Writes one response frame outside the request/response flow (async responses, §3.3.4.4). */
  sender?: (payload: Buffer) => void;

  constructor(
    readonly server: ServerContext,
    /** `address:port` of the peer, for logs. */
    readonly peer: string,
    readonly log: Logger,
  ) {
    this.credits = new CreditWindow(server.limits.maxCredits);
  }

  /**
   * An async response for this connection; dropped when it has no sender (gone, or a unit test).
   * It goes in a TRANSFORM frame when its session's client encrypts (the SessionId is at header
   * offset 40 in both header forms).
   */
  send(payload: Buffer): void {
    if (!this.sender) return;
    const session = payload.length >= 48 ? this.sessions.get(payload.readBigUInt64LE(40)) : undefined;
    this.sender(
      session?.cipher && session.encryptsAsync
        ? encryptTransform(payload, session.id, session.cipher)
        : payload,
    );
  }

  /** A real SMB2 dialect has been chosen (not none, not the wildcard). */
  get negotiated(): boolean {
    return this.dialect !== 0 && this.dialect !== Dialect.WILDCARD;
  }

  /** MS-SMB2 §3.3.1.7 Connection.SupportsMultiCredit: 2.1+ with LARGE_MTU. */
  get supportsMultiCredit(): boolean {
    return this.dialect >= Dialect.SMB2_10 && (this.serverCapabilities & Smb2Capabilities.LARGE_MTU) !== 0;
  }

  /** MaxReadSize = MaxWriteSize = MaxTransactSize for this connection (64 KiB for 2.0.2). */
  get maxIoSize(): number {
    return this.dialect > Dialect.SMB2_02 && this.dialect !== Dialect.WILDCARD
      ? this.server.limits.maxIoSize
      : 65536;
  }

  get is3x(): boolean {
    return this.negotiated && this.dialect >= Dialect.SMB3_00;
  }
}
