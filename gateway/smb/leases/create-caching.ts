/**
 * CREATE's side of oplocks and leases (MS-SMB2 §3.3.5.9): what the request asks for, the breaks
 * it must wait for, and — when it has to wait — going async (§3.3.4.2: an interim
 * STATUS_PENDING now, the final response later under the AsyncId), as smb2.lease.breaking1
 * shows Windows and Samba do. create.ts calls these and keeps its own order of checks.
 */
import type { Ino } from '../../backend/attrs';
import { type AsyncRequest, sendAsyncResponse } from '../async-response';
import type { CommandContext, SmbCommand, SmbResponse } from '../commands/command';
import { errorBody } from '../dispatcher';
import { Smb2Command, Smb2Flags } from '../header';
import { NtStatus, SmbError, toNtStatus } from '../ntstatus';
import { encodeResponses } from '../response-frame';
import { Dialect } from '../server-context';
import { isStatOpen, type OpenIntent } from './break-decisions';
import { OplockLevel } from './caching-state';
import type { CachingGrant, CachingRequest } from './caching-table';
import { leaseResponseContext, parseLeaseContext } from './lease-context';

/** Rounds of "break, wait, look again" before an open gives up waiting (each round ends a break). */
const MAX_ROUNDS = 8;

/** RequestedOplockLevel and the RqLs context as a CachingRequest (leases only on 2.1+). */
export function cachingRequest(
  ctx: CommandContext,
  level: number,
  contexts: ReadonlyMap<string, Buffer>,
): CachingRequest {
  const clientGuid = ctx.conn.clientGuid;
  const rqls = contexts.get('RqLs');
  if (level !== OplockLevel.LEASE) return { oplockLevel: level, clientGuid };
  if (!rqls || ctx.conn.dialect < Dialect.SMB2_10) return { oplockLevel: OplockLevel.NONE, clientGuid };
  return {
    oplockLevel: level,
    clientGuid,
    lease: parseLeaseContext(rqls, ctx.conn.dialect >= Dialect.SMB3_00),
  };
}

export interface OpenPlan {
  readonly ino: Ino;
  readonly access: number;
  readonly share: number;
  readonly overwrite: boolean;
  readonly request: CachingRequest;
}

function intentOf(ctx: CommandContext, p: OpenPlan): OpenIntent {
  const leaseId = ctx.server.caching.intentLeaseId(p.request);
  return {
    // An attribute-only open that overwrites is no stat open (smb2.oplock.exclusive5, batch13).
    statOpen: isStatOpen(p.access) && !p.overwrite,
    overwrite: p.overwrite,
    sharingViolation: ctx.server.opens.conflicts(p.ino, p.access, p.share),
    ...(leaseId ? { leaseId } : {}),
  };
}

/** The first round of breaks for this open: undefined when it may go on at once. */
export function firstBreaks(ctx: CommandContext, p: OpenPlan): Promise<void> | undefined {
  return ctx.server.caching.breakForOpen(p.ino, intentOf(ctx, p));
}

/** Waits for `first`, then for any further break the open still needs (a holder broken in steps). */
export async function settleBreaks(ctx: CommandContext, p: OpenPlan, first: Promise<void>): Promise<void> {
  let w: Promise<void> | undefined = first;
  for (let i = 0; w && i < MAX_ROUNDS; i++) {
    await w;
    w = firstBreaks(ctx, p);
  }
}

/** A CREATE that went async: where its final response goes. */
const parkedOf = new WeakMap<CommandContext, AsyncRequest>();

/**
 * Waits until no break stands in the way of this open. A CREATE on its own goes async first
 * (interim STATUS_PENDING with an AsyncId, credits granted as for any response); one inside a
 * compound waits inline, since later members need its FileId in the same frame.
 */
export async function waitForBreaks(ctx: CommandContext, p: OpenPlan): Promise<void> {
  const first = firstBreaks(ctx, p);
  if (!first) return;
  const h = ctx.header;
  if (!ctx.related && h.nextCommand === 0) {
    const session = ctx.session;
    const signs = session?.canSign && ((h.flags & Smb2Flags.SIGNED) !== 0 || session.signingRequired);
    const parked: AsyncRequest = {
      sink: ctx.conn,
      command: Smb2Command.CREATE,
      asyncId: ctx.server.notify.newAsyncId(),
      messageId: h.messageId,
      sessionId: h.sessionId,
      creditCharge: h.creditCharge,
      ...(signs && session ? { signer: session } : {}),
    };
    parkedOf.set(ctx, parked);
    ctx.conn.send(
      encodeResponses([
        {
          header: {
            creditCharge: h.creditCharge,
            status: NtStatus.STATUS_PENDING,
            command: Smb2Command.CREATE,
            credits: ctx.conn.credits.grant(Math.max(1, h.credits)),
            flags: 0,
            nextCommand: 0,
            messageId: h.messageId,
            processId: h.processId,
            treeId: h.treeId,
            asyncId: parked.asyncId,
            sessionId: h.sessionId,
          },
          body: errorBody(),
        },
      ]),
    );
  }
  await settleBreaks(ctx, p, first);
}

/**
 * CREATE wrapped so that, once it went async in waitForBreaks, its answer — success or
 * failure — is sent as the final async response (§3.3.4.4) and the dispatcher sends nothing.
 */
export function parkable(cmd: SmbCommand): SmbCommand {
  return {
    ...cmd,
    async run(ctx: CommandContext): Promise<SmbResponse | null> {
      let r: SmbResponse | null;
      try {
        r = await cmd.run(ctx);
      } catch (err) {
        const parked = parkedOf.get(ctx);
        if (!parked) throw err;
        if (ctx.log.isDebugEnabled()) ctx.log.debug('async CREATE failed', { cause: String(err) });
        sendAsyncResponse(
          parked,
          toNtStatus(err),
          err instanceof SmbError && err.errorData ? errorBody(err.errorData) : errorBody(),
        );
        return null;
      }
      const parked = parkedOf.get(ctx);
      if (!parked || !r) return r;
      sendAsyncResponse(parked, r.status ?? NtStatus.STATUS_SUCCESS, r.body);
      return null;
    },
  };
}

/** The RqLs response context for a granted lease (none for an oplock). */
export function grantContexts(g: CachingGrant): { name: string; data: Buffer }[] {
  return g.lease ? [{ name: 'RqLs', data: leaseResponseContext(g.lease) }] : [];
}
