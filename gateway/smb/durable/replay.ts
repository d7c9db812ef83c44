/**
 * A CREATE with DH2Q naming a CreateGuid this client already has a durable open under
 * (MS-SMB2 §3.3.5.9.10): with SMB2_FLAGS_REPLAY_OPERATION it is the client resending a CREATE
 * whose response it lost, and gets the existing open back (same FileId, no second open);
 * without that flag it is STATUS_DUPLICATE_OBJECTID. A replay naming an open of another session,
 * or one kept after a disconnect, is not ours to answer here: such an open is reclaimed with
 * DH2C (durable/reconnect.ts), so it is refused like a duplicate.
 */
import { type CommandContext, type SmbResponse, sessionOf } from '../commands/command';
import { answerCreateContexts } from '../commands/create-contexts';
import { createResponseBody } from '../commands/create-response';
import { CreateAction } from '../commands/create-target';
import { maximalAccess } from '../file-attrs';
import { Smb2Flags } from '../header';
import { OplockLevel } from '../leases/caching-state';
import { grantContexts } from '../leases/create-caching';
import { NtStatus, SmbError } from '../ntstatus';
import { durableResponseContext } from './durable-contexts';

/** The replayed response, or undefined when no open of this client has `createGuid`. */
export async function replayDurable(
  ctx: CommandContext,
  contexts: ReadonlyMap<string, Buffer>,
  createGuid: Buffer,
): Promise<SmbResponse | undefined> {
  const { server } = ctx;
  const open = server.durable.findByCreateGuid(ctx.conn.clientGuid, createGuid);
  if (!open) return undefined;
  const session = sessionOf(ctx);
  const replay = (ctx.header.flags & Smb2Flags.REPLAY_OPERATION) !== 0;
  if (!replay || open.session.id !== session.id || server.durable.isDisconnected(open))
    throw new SmbError(NtStatus.STATUS_DUPLICATE_OBJECTID, 'CreateGuid already names a durable open');
  const disk = open.tree.disk;
  const grant = server.durable.grantOf(open);
  if (!disk || !grant) return undefined;
  const attrs = await disk.backend.getattr(open.ino);
  ctx.chain.fileId = open.fileId;
  const lease = server.caching.leaseOfOpen(open);
  const answered = answerCreateContexts(
    contexts,
    {
      maximalAccess: maximalAccess(attrs, undefined, session.cred, disk.readOnly) & open.tree.maximalAccess,
      fileid: attrs.fileid,
      fsid: attrs.fsid,
    },
    [
      ...(lease ? grantContexts({ oplockLevel: OplockLevel.LEASE, lease }) : []),
      durableResponseContext(grant.version, grant.timeoutMs),
    ],
  );
  const level = lease ? OplockLevel.LEASE : server.caching.oplockLevelOf(open);
  return { body: createResponseBody(level, CreateAction.OPENED, attrs, open.fileId, answered) };
}
