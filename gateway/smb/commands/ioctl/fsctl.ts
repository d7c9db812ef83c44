/**
 * What one FSCTL handler sees and returns (MS-SMB2 §3.3.5.15). The IOCTL command (../ioctl.ts)
 * decodes the request, finds the handler by CtlCode (./index.ts), resolves the Open unless the
 * handler works without one, and encodes the response; a handler only knows its own structures.
 */
import type { Open } from '../../open-table';
import type { CommandContext, SmbResponse } from '../command';

/** MS-FSCC §2.3 / MS-SMB2 §2.2.31 control codes served here. */
export const Fsctl = {
  DFS_GET_REFERRALS: 0x00060194,
  DFS_GET_REFERRALS_EX: 0x000601b0,
  SET_COMPRESSION: 0x0009c040,
  GET_COMPRESSION: 0x0009003c,
  SET_SPARSE: 0x000900c4,
  SET_ZERO_DATA: 0x000980c8,
  QUERY_ALLOCATED_RANGES: 0x000940cf,
  GET_REPARSE_POINT: 0x000900a8,
  PIPE_TRANSCEIVE: 0x0011c017,
  SRV_REQUEST_RESUME_KEY: 0x00140078,
  SRV_COPYCHUNK: 0x001440f2,
  SRV_COPYCHUNK_WRITE: 0x001480f2,
  QUERY_NETWORK_INTERFACE_INFO: 0x001401fc,
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
} as const;

export interface FsctlRequest {
  readonly ctx: CommandContext;
  readonly code: number;
  /** The Open named by FileId; undefined for handlers declared `noOpen`. */
  readonly open: Open | undefined;
  readonly input: Buffer;
  /** MaxOutputResponse: the most output the client takes. */
  readonly maxOutput: number;
}

export interface FsctlResult {
  readonly output?: Buffer;
  /** A status other than success that still carries the response body (copy-chunk, §3.3.4.4). */
  readonly status?: number;
  /** Sign the response with this session's key whatever the request did (VALIDATE_NEGOTIATE). */
  readonly signWith?: SmbResponse['signWith'];
}

export interface FsctlHandler {
  /** Runs without resolving FileId (it is all ones, or ignored). */
  readonly noOpen?: boolean;
  /** Served on IPC$ only (named pipes); everything else is disk-only. */
  readonly pipe?: boolean;
  run(req: FsctlRequest): Promise<FsctlResult> | FsctlResult;
}

/** The Open of a handler that needs one (all but `noOpen` ones get it). */
export function openOf(req: FsctlRequest): Open {
  if (!req.open) throw new Error('FSCTL handler without an open');
  return req.open;
}
