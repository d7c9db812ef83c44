/**
 * What every connection of one SMB server shares (MS-SMB2 §3.3.1.5 Global): identity (ServerGuid,
 * start time), the authenticator, shares, the open table, limits, and the user → Cred mapping.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'winston';
import type { Cred } from '../backend/backend';
import type { NtlmServer } from './auth';
import { closeOpen } from './close-open';
import { closeDisconnectedHolder } from './durable/disconnect';
import { DurableTable } from './durable/durable-table';
import { CachingTable } from './leases/caching-table';
import { LockTable } from './lock-table';
import { LockWaits } from './lock-waits';
import { NotifyTable } from './notify-table';
import { type Open, OpenTable } from './open-table';
import type { SmbSession } from './session';
import type { ShareTable } from './tree';
import { fileTimeNow } from './wire';

/** MS-SMB2 §2.2.3 dialect revisions, ascending. */
export const Dialect = {
  SMB2_02: 0x0202,
  SMB2_10: 0x0210,
  SMB3_00: 0x0300,
  SMB3_02: 0x0302,
  SMB3_11: 0x0311,
  /** §2.2.4: "SMB 2.???" answered to a multi-protocol (SMB1) NEGOTIATE. */
  WILDCARD: 0x02ff,
} as const;

export const ALL_DIALECTS: readonly number[] = [
  Dialect.SMB2_02,
  Dialect.SMB2_10,
  Dialect.SMB3_00,
  Dialect.SMB3_02,
  Dialect.SMB3_11,
];

/**
 * SMB3 encryption policy (like Samba's "smb encrypt"): 'off' never negotiates it; 'offered'
 * negotiates it and encrypts for clients that ask; 'desired' also asks every client able to
 * (session flag ENCRYPT_DATA) yet accepts unencrypted requests; 'required' asks and refuses
 * unencrypted requests, and clients that cannot encrypt, with STATUS_ACCESS_DENIED.
 */
export type SmbEncryptionMode = 'off' | 'offered' | 'desired' | 'required';
export const SMB_ENCRYPTION_MODES: readonly SmbEncryptionMode[] = ['off', 'offered', 'desired', 'required'];

export interface SmbLimits {
  /** MaxReadSize / MaxWriteSize / MaxTransactSize advertised for 2.1+ (2.0.2 gets 64 KiB). */
  readonly maxIoSize: number;
  /** Unused credits a client may hold (the CommandSequenceWindow bound). */
  readonly maxCredits: number;
  /** Largest Direct TCP frame accepted, checked before its bytes are kept. */
  readonly maxFrameSize: number;
  /** Bytes of request frames in flight per connection before it stops reading. */
  readonly maxOutstandingBytes: number;
  /** Sessions per connection. */
  readonly maxSessionsPerConnection: number;
  /** Tree connects per session. */
  readonly maxTreesPerSession: number;
  /** How long an oplock or lease break waits for its acknowledgment (MS-SMB2 §3.3.2.1: 35 s). */
  readonly breakTimeoutMs: number;
}

export const DEFAULT_LIMITS: SmbLimits = {
  maxIoSize: 8 * 1024 * 1024,
  maxCredits: 8192,
  maxFrameSize: 8 * 1024 * 1024 + 64 * 1024,
  maxOutstandingBytes: 64 * 1024 * 1024,
  maxSessionsPerConnection: 64,
  maxTreesPerSession: 256,
  breakTimeoutMs: 35_000,
};

export interface ServerContextOptions {
  readonly ntlm: NtlmServer;
  readonly shares: ShareTable;
  readonly logger: Logger;
  /** The identity a user works as on the backend; `anonymous` for a null session. */
  readonly credFor: (user: string, anonymous: boolean) => Cred;
  readonly requireSigning?: boolean;
  /** Default 'offered'. */
  readonly encryption?: SmbEncryptionMode;
  /** Dialects offered (default all five). */
  readonly dialects?: readonly number[];
  readonly limits?: Partial<SmbLimits>;
  readonly serverGuid?: Buffer;
}

export class ServerContext {
  readonly serverGuid: Buffer;
  readonly startTime = fileTimeNow();
  readonly ntlm: NtlmServer;
  readonly shares: ShareTable;
  readonly opens = new OpenTable();
  /** CHANGE_NOTIFY watches of directory opens; fed by `reportChanges` (upcalls and local changes). */
  readonly notify = new NotifyTable(this.opens);
  /** Byte-range locks (LOCK), dropped with their Open. */
  readonly locks = new LockTable();
  /** Blocking LOCK requests waiting for their range. */
  readonly lockWaits = new LockWaits(this.locks);
  readonly limits: SmbLimits;
  /** Durable opens, and those kept after their connection went (durable/). */
  readonly durable = new DurableTable();
  /** Oplocks and leases, and their breaks. */
  readonly caching: CachingTable;
  readonly requireSigning: boolean;
  readonly encryption: SmbEncryptionMode;
  /**
   * MS-SMB2 §3.3.1.5 GlobalSessionTable: every authenticated session of every connection, so a
   * client reconnecting on a new connection can name its old session (PreviousSessionId).
   */
  readonly sessions = new Map<bigint, SmbSession>();
  /**
   * Sessions ended under a client that still holds their keys (a failed re-authentication on
   * one channel): their stray requests get a signed USER_SESSION_DELETED. Bounded, oldest out.
   */
  readonly endedSessions = new Map<bigint, SmbSession[]>();
  readonly dialects: readonly number[];
  readonly log: Logger;
  readonly credFor: (user: string, anonymous: boolean) => Cred;
  private nextSession = 1n;
  private readonly sessionPrefix = BigInt(randomBytes(2).readUInt16LE(0) | 1) << 40n;

  constructor(o: ServerContextOptions) {
    this.ntlm = o.ntlm;
    this.shares = o.shares;
    this.log = o.logger;
    this.credFor = o.credFor;
    this.requireSigning = o.requireSigning ?? false;
    this.encryption = o.encryption ?? 'offered';
    if (!SMB_ENCRYPTION_MODES.includes(this.encryption))
      throw new RangeError(`encryption: one of ${SMB_ENCRYPTION_MODES.join(', ')}`);
    this.dialects = [...(o.dialects ?? ALL_DIALECTS)].sort((a, b) => a - b);
    if (this.dialects.length === 0 || this.dialects.some((d) => !ALL_DIALECTS.includes(d)))
      throw new RangeError('dialects: a non-empty subset of 0x0202, 0x0210, 0x0300, 0x0302, 0x0311');
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    if (this.limits.maxIoSize < 65536 || this.limits.maxFrameSize < this.limits.maxIoSize + 4096)
      throw new RangeError('limits: maxIoSize >= 64 KiB and maxFrameSize >= maxIoSize + 4 KiB');
    this.serverGuid = o.serverGuid ?? randomBytes(16);
    this.caching = new CachingTable(this.limits.breakTimeoutMs, this.log, (ino) => this.opens.opensOf(ino));
    this.caching.breakOfDisconnected = (h) => closeDisconnectedHolder(this, h, (o) => this.closeKept(o));
  }

  /** Closes a disconnected durable open (its timeout ended, or another open broke it). */
  private closeKept(open: Open): void {
    closeOpen(this, open, this.log).catch((err: unknown) =>
      this.log.warn('closing a disconnected durable open failed', { cause: String(err) }),
    );
  }

  /** A server-wide unique SessionId: never 0 or all ones (MS-SMB2 §3.3.5.5.1). */
  newSessionId(): bigint {
    return this.sessionPrefix | this.nextSession++;
  }
}
