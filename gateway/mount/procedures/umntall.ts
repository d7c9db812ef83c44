import type { Procedure } from '../../rpc/types';
import type { Mount3Env } from '../mount3-env';

/**
 * RFC 1813 §5.2.4 MOUNTPROC3_UMNTALL.
 * args: none.
 * res:  none. Drops every mount-list entry of the calling client's address.
 */
export function umntall3(env: Mount3Env): Procedure<undefined, undefined> {
  return {
    name: 'UMNTALL',
    decode: () => undefined,
    run(_args, ctx) {
      const n = env.mounts.removeAll(ctx.remoteAddress);
      if (n > 0) env.logger.info('unmount all', { client: ctx.remoteAddress, entries: n });
      return undefined;
    },
    encode: () => {},
  };
}
