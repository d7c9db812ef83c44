/**
 * Whether a new open is made durable (MS-SMB2 §3.3.5.9.6 DHnQ, §3.3.5.9.10 DH2Q): only when it
 * was granted a BATCH oplock or a lease with handle caching (smb2.durable-open.open-oplock,
 * .open-lease); otherwise the context is ignored and not answered. DH2Q's PERSISTENT flag is
 * ignored: we offer no persistent handles (no SMB2_GLOBAL_CAP_PERSISTENT_HANDLES).
 */
import { Lease, OplockLevel } from '../leases/caching-state';
import type { CachingGrant } from '../leases/caching-table';
import type { Open } from '../open-table';
import { durableResponseContext } from './durable-contexts';
import type { DurableTable } from './durable-table';

export interface DurableRequest {
  readonly version: 1 | 2;
  readonly timeoutMs: number;
  readonly createGuid: Buffer;
  readonly clientGuid: Buffer;
}

/** Records the grant and returns the response context, or nothing when not granted. */
export function grantDurable(
  table: DurableTable,
  open: Open,
  caching: CachingGrant,
  req: DurableRequest,
): { name: string; data: Buffer }[] {
  const handleCached = caching.lease
    ? (caching.lease.state & Lease.H) !== 0
    : caching.oplockLevel === OplockLevel.BATCH;
  if (!handleCached || open.isDir) return [];
  table.grant(open, {
    version: req.version,
    timeoutMs: req.timeoutMs,
    createGuid: req.createGuid,
    clientGuid: req.clientGuid,
  });
  return [durableResponseContext(req.version, req.timeoutMs)];
}
