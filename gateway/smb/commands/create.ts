/**
 * SMB2 CREATE (MS-SMB2 §2.2.13 request, §2.2.14 response, §3.3.5.9 processing): open or make
 * a file or directory.
 *
 * Request: StructureSize 57, SecurityFlags, RequestedOplockLevel, ImpersonationLevel,
 * SmbCreateFlags, DesiredAccess, FileAttributes, ShareAccess, CreateDisposition, CreateOptions,
 * NameOffset/NameLength (UTF-16 path), CreateContextsOffset/Length.
 * Response: StructureSize 89, OplockLevel (oplocks and leases: leases/), Flags,
 * CreateAction, four FILETIMEs, AllocationSize, EndofFile, FileAttributes, FileId, contexts.
 *
 * Order of checks: request shape, path syntax (paths.ts), find or create (create-target.ts),
 * delete-pending, access against the POSIX-derived maximal access, breaks of other opens'
 * oplocks and leases (leases/create-caching.ts: the CREATE may go async until they are
 * acknowledged), share modes, then truncation. Named pipes on IPC$: ipc/open-pipe.ts.
 */

import { BackendError } from '../../backend/errors';
import { refuseDeleteOnCloseCreate, refuseDeleteOnCloseOpen } from '../delete-on-close';
import { appInstanceId, closeAppInstanceOpens, noteAppInstance } from '../durable/app-instance';
import { parseDurableContexts } from '../durable/durable-contexts';
import { grantDurable } from '../durable/durable-grant';
import { reconnectDurable } from '../durable/reconnect';
import { replayDurable } from '../durable/replay';
import { fileAttributes, mapGenericAccess, maximalAccess } from '../file-attrs';
import { openPipe } from '../ipc/open-pipe';
import { cachingRequest, grantContexts, parkable, waitForBreaks } from '../leases/create-caching';
import { NtStatus, SmbError } from '../ntstatus';
import { Access, type Open } from '../open-table';
import { joinSmbPath, parseSmbPath } from '../paths';
import { isQuotaFakeFile, openQuotaFakeFile } from '../quota-fake-file';
import { bufferAt, utf16 } from '../wire';
import { type CommandContext, type SmbCommand, type SmbResponse, sessionOf, treeOf } from './command';
import { answerCreateContexts, parseCreateContexts } from './create-contexts';
import { createResponseBody } from './create-response';
import { CreateAction, CreateOption, Disposition, findOrCreate } from './create-target';

const MAX_IMPERSONATION = 3;
/** DesiredAccess bits with no meaning for a file (MS-SMB2 §2.2.13.1.1 reserved ranges). */
const RESERVED_ACCESS = 0x0ce0fe00;

export const create: SmbCommand = parkable({
  name: 'CREATE',
  structureSize: 57,
  needs: 'tree',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    try {
      return await createOnce(ctx);
    } catch (err) {
      // A cached name led to an object removed outside the gateway before the watcher's upcall
      // came (the cache has now dropped it): look the name up afresh, once.
      if (!(err instanceof BackendError && err.code === 'ESTALE')) throw err;
      ctx.log.debug('CREATE met a stale cached name; retrying', { cause: err.message });
      return createOnce(ctx);
    }
  },
});

/** One attempt at the CREATE (see `create.run` for the retry). */
async function createOnce(ctx: CommandContext): Promise<SmbResponse> {
  const { body, server } = ctx;
  const session = sessionOf(ctx);
  const tree = treeOf(ctx);
  const S = NtStatus;
  const name = utf16(bufferAt(ctx.message, body.readUInt16LE(44), body.readUInt16LE(46), 'name'), 'name');
  const contexts = parseCreateContexts(ctx.message, body.readUInt32LE(48), body.readUInt32LE(52));
  const durable = parseDurableContexts(contexts, ctx.conn.is3x);
  // A durable reconnect ignores every other field (smb2.durable-open.reopen2).
  if (durable.kind === 'reconnect') return reconnectDurable(ctx, name, contexts, durable);
  if (durable.kind === 'request' && durable.version === 2) {
    const replayed = await replayDurable(ctx, contexts, durable.createGuid);
    if (replayed) return replayed;
  }
  if (body.readUInt32LE(4) > MAX_IMPERSONATION)
    throw new SmbError(S.STATUS_BAD_IMPERSONATION_LEVEL, 'impersonation');
  const desired = body.readUInt32LE(24);
  const fileAttrs = body.readUInt32LE(28);
  const shareAccess = body.readUInt32LE(32);
  const disposition = body.readUInt32LE(36);
  const options = body.readUInt32LE(40);
  if (disposition > Disposition.OVERWRITE_IF)
    throw new SmbError(S.STATUS_INVALID_PARAMETER, 'CreateDisposition');
  if (options & CreateOption.DIRECTORY_FILE && options & CreateOption.NON_DIRECTORY_FILE)
    throw new SmbError(S.STATUS_INVALID_PARAMETER, 'both DIRECTORY_FILE and NON_DIRECTORY_FILE');
  if (
    options & CreateOption.DIRECTORY_FILE &&
    disposition !== Disposition.OPEN &&
    disposition !== Disposition.CREATE &&
    disposition !== Disposition.OPEN_IF
  )
    throw new SmbError(S.STATUS_INVALID_PARAMETER, 'DIRECTORY_FILE with an overwriting disposition');
  if (options & CreateOption.OPEN_BY_FILE_ID)
    throw new SmbError(S.STATUS_NOT_SUPPORTED, 'FILE_OPEN_BY_FILE_ID');
  if (desired & RESERVED_ACCESS) throw new SmbError(S.STATUS_ACCESS_DENIED, 'reserved DesiredAccess bits');
  const wanted = mapGenericAccess(desired);
  if (wanted & Access.ACCESS_SYSTEM_SECURITY) throw new SmbError(S.STATUS_PRIVILEGE_NOT_HELD, 'SACL access');
  const deleteOnClose = (options & CreateOption.DELETE_ON_CLOSE) !== 0;
  if (deleteOnClose && !(wanted & Access.DELETE))
    throw new SmbError(S.STATUS_ACCESS_DENIED, 'DELETE_ON_CLOSE without DELETE access');
  const disk = tree.disk;
  if (!disk) return openPipe(ctx, name, wanted & ~Access.MAXIMUM_ALLOWED, shareAccess);

  if (isQuotaFakeFile(name) && disposition === Disposition.OPEN)
    return openQuotaFakeFile(ctx, wanted & ~Access.MAXIMUM_ALLOWED, shareAccess);
  const parts = parseSmbPath(name);
  refuseDeleteOnCloseCreate(options, fileAttrs, disposition);
  const caching = cachingRequest(ctx, body[3]!, contexts);
  server.caching.checkLeaseKey(caching, joinSmbPath(parts));
  const cred = session.cred;
  const targetRequest = {
    backend: disk.backend,
    root: disk.backend.rootIno,
    parts,
    disposition,
    options,
    fileAttributes: fileAttrs,
    cred,
  };
  let target = await findOrCreate(targetRequest);
  // Found while its delete-on-close removal runs: once it is gone, look again.
  const removing = server.opens.removalOf(target.attrs.fileid);
  if (removing && target.action !== CreateAction.CREATED) {
    await removing;
    target = await findOrCreate(targetRequest);
  }
  let attrs = target.attrs;
  if (server.opens.isDeletePending(attrs.fileid)) throw new SmbError(S.STATUS_DELETE_PENDING, name);
  await refuseDeleteOnCloseOpen(
    options,
    attrs,
    target.action === CreateAction.CREATED && target.parent
      ? { backend: disk.backend, dir: target.parent.fileid, name: target.name, cred }
      : undefined,
  );
  const max = maximalAccess(attrs, target.parent, cred, disk.readOnly) & tree.maximalAccess;
  const requested = wanted & ~Access.MAXIMUM_ALLOWED;
  if (requested & ~max)
    throw new SmbError(
      S.STATUS_ACCESS_DENIED,
      `'${name}': wants 0x${requested.toString(16)}, may 0x${max.toString(16)}`,
    );
  const granted = (wanted & Access.MAXIMUM_ALLOWED ? max : requested) >>> 0;
  const appInstance = appInstanceId(ctx, contexts);
  if (appInstance) await closeAppInstanceOpens(ctx, appInstance, attrs.fileid, joinSmbPath(parts), tree);
  await waitForBreaks(ctx, {
    ino: attrs.fileid,
    access: granted,
    share: shareAccess,
    overwrite: target.truncate,
    request: caching,
  });
  if (server.opens.conflicts(attrs.fileid, granted, shareAccess))
    throw new SmbError(S.STATUS_SHARING_VIOLATION, name);
  if (target.truncate) attrs = (await disk.backend.setattr(attrs.fileid, { size: 0 }, cred)).after ?? attrs;
  const fileId = server.opens.allocate();
  if (!fileId) throw new SmbError(S.STATUS_INSUFFICIENT_RESOURCES, 'open table full');
  const open: Open = {
    fileId,
    session,
    tree,
    ino: attrs.fileid,
    isDir: (fileAttributes(attrs) & 0x10) !== 0,
    parent: target.parent?.fileid,
    name: target.name,
    path: joinSmbPath(parts),
    access: granted,
    shareAccess,
    deleteOnClose,
    position: 0n,
  };
  server.opens.add(open);
  noteAppInstance(open, appInstance);
  ctx.chain.fileId = fileId;
  const grant = server.caching.grant(open, ctx.conn, caching, attrs, target.truncate);

  const kept =
    durable.kind === 'request'
      ? grantDurable(server.durable, open, grant, { ...durable, clientGuid: ctx.conn.clientGuid })
      : [];
  const answered = answerCreateContexts(
    contexts,
    { maximalAccess: max, fileid: attrs.fileid, fsid: attrs.fsid },
    [...grantContexts(grant), ...kept],
  );
  const out = createResponseBody(grant.oplockLevel, target.action, attrs, fileId, answered);
  return { body: out };
}
