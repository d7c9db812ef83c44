import { SMB_ENCRYPTION_MODES, type SmbEncryptionMode, type SmbUserConfig } from '../gateway/smb';
import type { GatewayConfig } from './config';

/** The SMB part of the gateway's configuration (see config.ts for the whole). */
export interface SmbConfig {
  /** TCP port for SMB2/3 (Direct TCP). Default: off (no SMB server); 0 picks a free port. */
  smbPort?: number;
  /**
   * SMB users: `{ user, password }` or `{ user, ntHash }` (32 hex digits, so no password is
   * stored), optionally `domain`, and the `uid`/`gid` the user works as on the export
   * (default nobody, 65534). Default none.
   */
  smbUsers: SmbUserConfig[];
  /** SMB share names, each serving the export. Default ['share']. */
  shares: string[];
  /** Accept NTLMv1 logons (the old `smb2` npm client needs it). Default false, as on Windows and Samba. */
  allowNtlmV1: boolean;
  /** Accept anonymous (null-session) SMB logons, working as nobody. Default false. */
  allowGuest: boolean;
  /** SMB connections open at once; one more is closed on accept. Default 1024. */
  smbMaxConnections: number;
  /** Seconds a connection may stay without a logged-on session before it is closed; 0 off. Default 60. */
  smbAuthTimeout: number;
  /** Seconds a connection with no open files may send nothing before it is closed; 0 off. Default 900. */
  smbIdleTimeout: number;
  /**
   * SMB3 encryption: 'off' | 'offered' (encrypt for clients that ask) | 'desired' (ask every
   * client able to) | 'required' (refuse unencrypted requests and clients that cannot encrypt,
   * as Samba's "smb encrypt = required"). Default 'offered'.
   */
  smbEncryption: SmbEncryptionMode;
}

export const DEFAULT_SMB_CONFIG: SmbConfig = {
  smbUsers: [],
  shares: ['share'],
  allowNtlmV1: false,
  allowGuest: false,
  smbMaxConnections: 1024,
  smbAuthTimeout: 60,
  smbIdleTimeout: 900,
  smbEncryption: 'offered',
};

const SHARE_NAME = /^[^\\/:*?"<>|\s]{1,80}$/;

/** Checks the SMB keys of a resolved config; returns a message naming the key, or undefined. */
export function smbConfigProblem(c: GatewayConfig): string | undefined {
  if (c.smbPort !== undefined && (!Number.isInteger(c.smbPort) || c.smbPort < 0 || c.smbPort > 65535))
    return `smbPort: expected a TCP port number, got ${JSON.stringify(c.smbPort)}`;
  if (!Array.isArray(c.shares) || c.shares.length === 0 || !c.shares.every((s) => SHARE_NAME.test(s)))
    return 'shares: expected a non-empty list of share names (no \\ / : * ? " < > | or spaces)';
  if (
    new Set(c.shares.map((s) => s.toLowerCase())).size !== c.shares.length ||
    c.shares.some((s) => /^ipc\$$/i.test(s))
  )
    return 'shares: names must be distinct and not IPC$';
  if (!Array.isArray(c.smbUsers)) return 'smbUsers: expected a list of { user, password | ntHash }';
  for (const u of c.smbUsers) {
    if (typeof u?.user !== 'string' || !u.user) return 'smbUsers: every entry needs a user name';
    if ((u.password === undefined) === (u.ntHash === undefined))
      return `smbUsers: user '${u.user}' needs exactly one of password or ntHash`;
    if (typeof u.ntHash === 'string' && !/^[0-9a-fA-F]{32}$/.test(u.ntHash))
      return `smbUsers: user '${u.user}': ntHash must be 32 hex digits`;
    for (const k of ['uid', 'gid'] as const) {
      const v = u[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffffffff))
        return `smbUsers: user '${u.user}': ${k} must be a non-negative integer`;
    }
  }
  if (!Number.isInteger(c.smbMaxConnections) || c.smbMaxConnections < 1)
    return `smbMaxConnections: expected a positive integer, got ${JSON.stringify(c.smbMaxConnections)}`;
  for (const k of ['smbAuthTimeout', 'smbIdleTimeout'] as const)
    if (typeof c[k] !== 'number' || !(c[k] >= 0) || c[k] > 2_000_000)
      return `${k}: expected seconds (0 turns it off), got ${JSON.stringify(c[k])}`;
  if (!SMB_ENCRYPTION_MODES.includes(c.smbEncryption))
    return `smbEncryption: expected one of ${SMB_ENCRYPTION_MODES.join(', ')}, got ${JSON.stringify(c.smbEncryption)}`;
  if (c.smbPort !== undefined && c.smbUsers.length === 0 && !c.allowGuest)
    return 'smbPort is set but nobody could log on: give smbUsers or allowGuest';
  return undefined;
}
