/**
 * SMB2 CANCEL (MS-SMB2 §2.2.30, §3.3.5.16): StructureSize 4, no response of its own, no credit
 * consumed (the dispatcher knows). It names a request by AsyncId (async form) or MessageId (a
 * request not yet answered); the requests we park are CHANGE_NOTIFYs and blocking LOCKs, which
 * then end with STATUS_CANCELLED. A CANCEL naming nothing is absorbed.
 */
import type { SmbCommand } from './command';

export const cancel: SmbCommand = {
  name: 'CANCEL',
  structureSize: 4,
  needs: 'connection',
  run: (ctx) => {
    const h = ctx.header;
    const id = h.asyncId !== undefined ? { asyncId: h.asyncId } : { messageId: h.messageId };
    if (!ctx.server.notify.cancel(ctx.conn, id) && !ctx.server.lockWaits.cancel(ctx.conn, id))
      ctx.log.debug('CANCEL with nothing pending', {
        mid: h.messageId.toString(),
        async: h.asyncId?.toString(),
      });
    return null;
  },
};
