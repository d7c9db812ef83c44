/**
 * SMB2 CANCEL (MS-SMB2 §2.2.30, §3.3.5.16): StructureSize 4, no response ever, no credit
 * consumed (the dispatcher knows). It names a request by MessageId (sync) or AsyncId (async);
 * nothing we run today is long-lived or parked (CHANGE_NOTIFY and lock waits come later), so
 * there is never anything to cancel and the request is simply absorbed.
 */
import type { SmbCommand } from './command';

export const cancel: SmbCommand = {
  name: 'CANCEL',
  structureSize: 4,
  needs: 'connection',
  run: (ctx) => {
    ctx.log.debug('CANCEL with nothing pending', {
      mid: ctx.header.messageId.toString(),
      async: ctx.header.asyncId?.toString(),
    });
    return null;
  },
};
