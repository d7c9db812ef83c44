import { normalizeDirpath } from '../../nfs/exports';
import type { Procedure } from '../../rpc/types';
import type { Mount3Env } from '../mount3-env';
import { MNTPATHLEN } from '../mount3-status';

/**
 * RFC 1813 §5.2.3 MOUNTPROC3_UMNT.
 * args: the dirpath the client mounted.
 * res:  none. Drops (client address, dirpath) from the mount list; unknown entries are fine.
 */
export function umnt3(env: Mount3Env): Procedure<string, undefined> {
  return {
    name: 'UMNT',
    decode: (r) => r.string(MNTPATHLEN),
    run(dirpath, ctx) {
      const path = normalizeDirpath(dirpath);
      if (env.mounts.remove(ctx.remoteAddress, path)) {
        env.logger.info('unmount', { client: ctx.remoteAddress, dirpath: path });
      }
      return undefined;
    },
    encode: () => {},
  };
}
