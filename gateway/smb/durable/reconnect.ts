/**
 * CREATE with a DHnC or DH2C context (MS-SMB2 §3.3.5.9.7, §3.3.5.9.12): the client reclaims a
 * durable open kept since its connection went. Everything else in the request is ignored but
 * the name (for a lease) and the lease key (smb2.durable-open.reopen2*). The open moves to the
 * new session and tree with its FileId, position, locks and caching state; the response
 * carries the oplock level or lease it holds, and no durable context.
 */

import { type CommandContext, type SmbResponse, sessionOf, treeOf } from '../commands/command';
import { answerCreateContexts } from '../commands/create-contexts';
import { createResponseBody } from '../commands/create-response';
import { CreateAction } from '../commands/create-target';
import { maximalAccess } from '../file-attrs';
import { OplockLevel } from '../leases/caching-state';
import { grantContexts } from '../leases/create-caching';
import { leaseId } from '../leases/lease-table';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { joinSmbPath, parseSmbPath } from '../paths';

export interface ReconnectAsk {
  readonly version: 1 | 2;
  readonly persistent: bigint;
  readonly createGuid: Buffer;
}

const notFound = (why: string) =>
  new SmbError(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, `durable reconnect: ${why}`);

export async function reconnectDurable(
  ctx: CommandContext,
  name: string,
  contexts: ReadonlyMap<string, Buffer>,
  ask: ReconnectAsk,
): Promise<SmbResponse> {
  const { server } = ctx;
  const session = sessionOf(ctx);
  const tree = treeOf(ctx);
  const open = findReclaimable(ctx, name, contexts, ask);
  if (
    open.session.user.toLowerCase() !== session.user.toLowerCase() ||
    open.session.domain !== session.domain
  )
    throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, 'durable reconnect by another user');
  const disk = tree.disk!;
  const attrs = await disk.backend.getattr(open.ino);
  server.durable.reclaim(open);
  open.session = session;
  open.tree = tree;
  server.caching.reattach(open, ctx.conn);
  ctx.chain.fileId = open.fileId;
  const lease = server.caching.leaseOfOpen(open);
  const answered = answerCreateContexts(
    contexts,
    {
      maximalAccess: maximalAccess(attrs, undefined, session.cred, disk.readOnly) & tree.maximalAccess,
      fileid: attrs.fileid,
      fsid: attrs.fsid,
    },
    lease ? grantContexts({ oplockLevel: OplockLevel.LEASE, lease }) : [],
  );
  const level = lease ? OplockLevel.LEASE : server.caching.oplockLevelOf(open);
  return { body: createResponseBody(level, CreateAction.OPENED, attrs, open.fileId, answered) };
}

/** The kept open the request names, after the checks of §3.3.5.9.7/.12 in Samba's order. */
function findReclaimable(
  ctx: CommandContext,
  name: string,
  contexts: ReadonlyMap<string, Buffer>,
  ask: ReconnectAsk,
): Open {
  const { server } = ctx;
  const tree = treeOf(ctx);
  // Not kept: never durable, closed, broken by another open, expired, or still connected (reopen1).
  const open = server.durable.findDisconnected(ask.persistent);
  if (!open || !tree.disk || open.tree.share !== tree.share) throw notFound('no such disconnected open');
  const grant = server.durable.grantOf(open);
  if (!grant) throw notFound('not durable');
  // DH2C names the CreateGuid; DHnC names none, and reclaims a v2 open too (durable-v2-open.reopen2b).
  if (ask.version === 2 && !grant.createGuid.equals(ask.createGuid)) throw notFound('CreateGuid differs');
  const lease = server.caching.leaseOfOpen(open);
  const rqls = contexts.get('RqLs');
  if (!lease) {
    if (rqls) throw notFound('a lease for an open made under an oplock');
    return open;
  }
  // A lease is the client's (ClientGuid + LeaseKey): another client GUID cannot reclaim it (reopen1a-lease).
  if (!rqls || rqls.length < 16) throw notFound('no lease context for an open made under a lease');
  if (leaseId(ctx.conn.clientGuid, rqls.subarray(0, 16)) !== lease.id) throw notFound('another lease key');
  let path: string;
  try {
    path = joinSmbPath(parseSmbPath(name));
  } catch {
    path = name;
  }
  if (path.toLowerCase() !== open.path.toLowerCase())
    throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'durable reconnect under another name');
  return open;
}
