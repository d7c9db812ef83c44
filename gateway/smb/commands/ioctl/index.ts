/**
 * The FSCTLs served, by CtlCode (MS-SMB2 §3.3.5.15.x): one file each. Not in the table:
 * STATUS_NOT_SUPPORTED on a disk share (what Samba answers for a control it does not know)
 * and STATUS_INVALID_DEVICE_REQUEST on IPC$ (a pipe understands none of the file controls).
 */
import { queryAllocatedRanges } from './allocated-ranges';
import { getCompression, setCompression } from './compression';
import { copyChunk } from './copy-chunk';
import { dfsReferral } from './dfs-referral';
import { Fsctl, type FsctlHandler } from './fsctl';
import { networkInterfaceInfo } from './network-interfaces';
import { pipeTransceive } from './pipe-transceive';
import { getReparsePoint } from './reparse-point';
import { requestResumeKey } from './resume-key';
import { setSparse } from './sparse';
import { validateNegotiate } from './validate-negotiate';
import { setZeroData } from './zero-data';

export const FSCTL_HANDLERS: ReadonlyMap<number, FsctlHandler> = new Map<number, FsctlHandler>([
  [Fsctl.VALIDATE_NEGOTIATE_INFO, validateNegotiate],
  [Fsctl.DFS_GET_REFERRALS, dfsReferral],
  [Fsctl.DFS_GET_REFERRALS_EX, dfsReferral],
  [Fsctl.SRV_REQUEST_RESUME_KEY, requestResumeKey],
  [Fsctl.SRV_COPYCHUNK, copyChunk],
  [Fsctl.SRV_COPYCHUNK_WRITE, copyChunk],
  [Fsctl.SET_SPARSE, setSparse],
  [Fsctl.QUERY_ALLOCATED_RANGES, queryAllocatedRanges],
  [Fsctl.SET_ZERO_DATA, setZeroData],
  [Fsctl.GET_COMPRESSION, getCompression],
  [Fsctl.SET_COMPRESSION, setCompression],
  [Fsctl.QUERY_NETWORK_INTERFACE_INFO, networkInterfaceInfo],
  [Fsctl.GET_REPARSE_POINT, getReparsePoint],
  [Fsctl.PIPE_TRANSCEIVE, pipeTransceive],
]);

export { Fsctl } from './fsctl';
