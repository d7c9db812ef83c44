/**
 * An SMB2 session (MS-SMB2 §3.3.1.8): created by the first SESSION_SETUP, 'in-progress' while
 * the NTLM exchange runs, 'valid' once the user is authenticated. It holds the user's identity
 * for the backend (a Cred), the signing key and algorithm, and its tree connects. Several
 * sessions share one connection (§3.3.1.7 Connection.SessionTable).
 */

import type { Cred } from '../backend/backend';
import type { NtlmServerSession } from './auth';
import type { ConnectionState } from './connection-state';
import { type PreauthHash, type SigningAlgorithm, signMessage, verifySignature } from './crypto';
import type { SessionCipher } from './transform';
import { type Share, TreeConnect } from './tree';

export type SessionState = 'in-progress' | 'valid';

/** The identity of a session no user has been mapped to yet (nobody/nogroup). */
export const NOBODY: Cred = { uid: 65534, gid: 65534, gids: [] };

export class SmbSession {
  state: SessionState = 'in-progress';
  /** The NTLM exchange under way (first logon or re-authentication). */
  auth?: NtlmServerSession;
  user = '';
  domain = '';
  /** A null session (MS-SMB2 §3.3.1.8 Session.IsAnonymous): no session key, never signs. */
  anonymous = false;
  cred: Cred = NOBODY;
  /** Key and algorithm for signing (the session key for 2.x, the derived SigningKey for 3.x). */
  signingKey?: Buffer;
  signingAlgorithm: SigningAlgorithm = 'hmac-sha256';
  /** MS-SMB2 §3.3.1.8 Session.SigningRequired: every request must be signed, and every response is. */
  signingRequired = false;
  /** SMB 3.x with a cipher negotiated: the keys of its TRANSFORM frames (§3.3.1.8 EncryptionKey/DecryptionKey). */
  cipher?: SessionCipher;
  /** §3.3.1.8 Session.EncryptData: we asked the client to encrypt everything (session flag ENCRYPT_DATA). */
  encryptData = false;
  /** Unencrypted requests are refused (smbEncryption 'required'). */
  rejectUnencrypted = false;
  /** The client has sent encrypted requests: async responses (interim, notify, lock) go encrypted too. */
  clientEncrypts = false;
  /** 3.1.1: Session.PreauthIntegrityHashValue, forked from the connection's at the first SESSION_SETUP. */
  preauth?: PreauthHash;
  readonly trees = new Map<number, TreeConnect>();
  private nextTreeId = 1;

  constructor(
    readonly id: bigint,
    /** The connection it was set up on (a reconnect on another connection logs it off there). */
    readonly conn?: ConnectionState,
  ) {}

  get valid(): boolean {
    return this.state === 'valid';
  }

  /** Adds a tree connect with a fresh TreeId (never 0 or 0xFFFFFFFF). */
  addTree(share: Share, maximalAccess: number): TreeConnect {
    let id = this.nextTreeId;
    while (this.trees.has(id) || id === 0 || id === 0xffffffff) id = (id + 1) >>> 0;
    this.nextTreeId = (id + 1) >>> 0;
    const tree = new TreeConnect(id, share, this, maximalAccess);
    this.trees.set(id, tree);
    return tree;
  }

  /** Responses sent outside a request's flow (async) are encrypted. */
  get encryptsAsync(): boolean {
    return this.cipher !== undefined && this.clientEncrypts;
  }

  /** Whether this session has a key to sign with. */
  get canSign(): boolean {
    return this.signingKey !== undefined;
  }

  sign(message: Buffer): void {
    if (this.signingKey) signMessage(message, this.signingKey, this.signingAlgorithm);
  }

  /** MS-SMB2 §3.1.5.1; false when there is no key to check with. */
  verify(message: Buffer): boolean {
    return this.signingKey !== undefined && verifySignature(message, this.signingKey, this.signingAlgorithm);
  }
}
