/** The SMB2/3 server: Direct TCP framing, the SMB2 header, NTSTATUS, commands, and the server itself. */

export { COMMANDS } from './commands';
export type { SmbCommand } from './commands/command';
export { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection-limits';
export { NtStatus, ntStatusName, SmbError, toNtStatus } from './ntstatus';
export {
  ALL_DIALECTS,
  DEFAULT_LIMITS,
  Dialect,
  SMB_ENCRYPTION_MODES,
  type SmbEncryptionMode,
  type SmbLimits,
} from './server-context';
export { SmbServer, type SmbServerOptions, type SmbUserConfig } from './smb-server';
export type { DiskShare } from './tree';
