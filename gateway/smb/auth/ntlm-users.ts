/**
 * The server's user table for NTLM. Users come from configuration with either a password or its
 * NT hash (MD4 of the UTF-16LE password; give the hash so no password is stored). Passwords are
 * hashed once here and not kept.
 *
 * Lookup is case-insensitive on the user name, as Windows is. An entry with `domain` matches only
 * that domain (case-insensitively); an entry without one matches any domain the client sends.
 * The NTLMv2 hash itself always uses the user and domain exactly as the client sent them
 * (MS-NLMP §3.3.2), so a client that sends the wrong domain simply fails the proof.
 */
import { NtlmConfigError } from './errors';
import { ntowfv1 } from './ntlm-crypto';

export interface NtlmUserConfig {
  user: string;
  domain?: string;
  password?: string;
  /** 32 hex digits or 16 bytes. */
  ntHash?: string | Uint8Array;
}

export interface NtlmUserEntry {
  /** The configured spelling (reported as the authenticated user). */
  user: string;
  domain?: string;
  ntHash: Buffer;
}

function toNtHash(u: NtlmUserConfig): Buffer {
  if (u.password !== undefined && u.ntHash !== undefined) {
    throw new NtlmConfigError(`user "${u.user}": give a password or an NT hash, not both`);
  }
  if (u.password !== undefined) return ntowfv1(u.password);
  if (u.ntHash === undefined)
    throw new NtlmConfigError(`user "${u.user}" has neither a password nor an NT hash`);
  if (typeof u.ntHash === 'string') {
    if (!/^[0-9a-fA-F]{32}$/.test(u.ntHash))
      throw new NtlmConfigError(`user "${u.user}": NT hash must be 32 hex digits`);
    return Buffer.from(u.ntHash, 'hex');
  }
  if (u.ntHash.length !== 16) throw new NtlmConfigError(`user "${u.user}": NT hash must be 16 bytes`);
  return Buffer.from(u.ntHash);
}

const fold = (s: string): string => s.toLowerCase();

export class NtlmUserTable {
  private readonly byName = new Map<string, NtlmUserEntry[]>();

  constructor(users: readonly NtlmUserConfig[]) {
    for (const u of users) {
      if (u.user === '') throw new NtlmConfigError('a user needs a non-empty name');
      const entry: NtlmUserEntry = { user: u.user, ntHash: toNtHash(u) };
      if (u.domain !== undefined) entry.domain = u.domain;
      const list = this.byName.get(fold(u.user)) ?? [];
      list.push(entry);
      this.byName.set(fold(u.user), list);
    }
  }

  /** The entry for a user as sent: one bound to the sent domain first, else one bound to no domain. */
  find(user: string, domain: string): NtlmUserEntry | undefined {
    const list = this.byName.get(fold(user));
    if (!list) return undefined;
    return (
      list.find((e) => e.domain !== undefined && fold(e.domain) === fold(domain)) ??
      list.find((e) => e.domain === undefined)
    );
  }

  get size(): number {
    let n = 0;
    for (const l of this.byName.values()) n += l.length;
    return n;
  }
}
