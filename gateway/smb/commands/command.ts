/**
 * The shape every SMB2 command file exports, and what the dispatcher hands it. A command is
 * `{ name, structureSize, needs, payloadSize?, run }`: the dispatcher has already checked the
 * credit window, the signature, StructureSize, CreditCharge and — per `needs` — the session and
 * tree (MS-SMB2 §3.3.5.2); `run` decodes its body, acts, and returns its response body (or
 * throws; the dispatcher maps the error through toNtStatus and writes the ERROR response,
 * §2.2.2). No command writes a header.
 */
import type { Logger } from 'winston';
import type { ConnectionState } from '../connection-state';
import type { Smb2Header } from '../header';
import { ALL_ONES_64 } from '../header';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import type { ServerContext } from '../server-context';
import type { SmbSession } from '../session';
import type { DiskShare, TreeConnect } from '../tree';
import { type FileId, readFileId } from '../wire';

/** What the members of one compound chain pass on to the next related one (§3.3.5.2.7). */
export interface ChainState {
  sessionId: bigint;
  treeId: number;
  /** The FileId a related request with FileId all ones stands for: the last one opened or used. */
  fileId?: FileId;
  /** A CREATE in this chain failed: later related requests fail with its status. */
  createError?: number;
}

export interface CommandContext {
  readonly server: ServerContext;
  readonly conn: ConnectionState;
  readonly header: Smb2Header;
  /** This request alone: its header and body (body offsets count from the header's start). */
  readonly message: Buffer;
  /** `message` without the header: the request structure (fixed part already length-checked). */
  readonly body: Buffer;
  readonly related: boolean;
  readonly chain: ChainState;
  readonly log: Logger;
  /** Set when the session exists (always when `needs` is 'session' or 'tree'). */
  readonly session?: SmbSession;
  readonly tree?: TreeConnect;
}

export interface SmbResponse {
  /** Default STATUS_SUCCESS; a warning (BUFFER_OVERFLOW) or MORE_PROCESSING_REQUIRED keeps `body`. */
  readonly status?: number;
  readonly body: Buffer;
  /** Header SessionId when not the request's (SESSION_SETUP's new session). */
  readonly sessionId?: bigint;
  /** Header TreeId when not the request's (TREE_CONNECT's new tree). */
  readonly treeId?: number;
  /** Sign with this session's key whatever the request did (final SESSION_SETUP, VALIDATE_NEGOTIATE). */
  readonly signWith?: SmbSession;
  /** The async form of the header (an interim STATUS_PENDING response, §3.3.4.2). */
  readonly asyncId?: bigint;
  /** Told the response's exact bytes once encoded (the 3.1.1 preauth hash). */
  readonly onEncoded?: (message: Buffer) => void;
}

export type Needs = 'connection' | 'session' | 'tree';

export interface SmbCommand {
  readonly name: string;
  /** The request's StructureSize (MS-SMB2 §2.2.x); the body must hold at least its even part. */
  readonly structureSize: number;
  /** Several accepted StructureSizes (OPLOCK_BREAK: 24 for an oplock, 36 for a lease). */
  readonly structureSizes?: readonly number[];
  readonly needs: Needs;
  /** max(bytes sent, bytes expected back), for the CreditCharge check (§3.3.5.2.5). */
  payloadSize?(body: Buffer): number;
  /** null: no response at all (CANCEL). */
  run(ctx: CommandContext): Promise<SmbResponse | null> | SmbResponse | null;
}

/** Thrown to drop the connection without answering (§3.3.5.2.6, §3.3.5.4, §3.3.5.15.12). */
export class DisconnectError extends Error {
  override readonly name = 'DisconnectError';
}

export function sessionOf(ctx: CommandContext): SmbSession {
  if (!ctx.session) throw new SmbError(NtStatus.STATUS_USER_SESSION_DELETED, 'no session');
  return ctx.session;
}

export function treeOf(ctx: CommandContext): TreeConnect {
  if (!ctx.tree) throw new SmbError(NtStatus.STATUS_NETWORK_NAME_DELETED, 'no tree connect');
  return ctx.tree;
}

export function diskOf(ctx: CommandContext): DiskShare {
  const d = treeOf(ctx).disk;
  if (!d) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'not a disk share');
  return d;
}

/**
 * The Open named by the FileId at `offset` of the body. In a related compound a FileId of all
 * ones means the chain's current one (§3.3.5.2.7.2). Unknown, or not this tree's: FILE_CLOSED.
 */
export function openAt(ctx: CommandContext, offset: number): Open {
  let id = readFileId(ctx.body, offset);
  if (ctx.related && id.persistent === ALL_ONES_64 && id.volatile === ALL_ONES_64) {
    // Nothing to inherit (an unrelated request came between): as Samba, the handle is closed.
    if (!ctx.chain.fileId)
      throw new SmbError(NtStatus.STATUS_FILE_CLOSED, 'related request without a FileId to inherit');
    id = ctx.chain.fileId;
  }
  const open = ctx.server.opens.get(id, treeOf(ctx));
  if (!open) throw new SmbError(NtStatus.STATUS_FILE_CLOSED, `FileId ${id.persistent}/${id.volatile}`);
  ctx.chain.fileId = open.fileId;
  return open;
}

/** Refuses unless the open was granted one of `bits` (§3.3.5.12/13: STATUS_ACCESS_DENIED). */
export function requireAccess(open: Open, bits: number, what: string): void {
  if ((open.access & bits) === 0)
    throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, `${what} needs access 0x${bits.toString(16)}`);
}

/**
 * A zeroed response body of `size` bytes (at least StructureSize: an odd StructureSize counts
 * one byte of the variable part, sent as a zero when that part is empty) with StructureSize set.
 */
export function responseBody(structureSize: number, size = structureSize): Buffer {
  const b = Buffer.alloc(Math.max(size, structureSize));
  b.writeUInt16LE(structureSize, 0);
  return b;
}
