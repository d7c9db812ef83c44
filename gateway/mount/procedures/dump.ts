import type { Procedure } from '../../rpc/types';
import type { MountEntry } from '../mount-list';
import type { Mount3Env } from '../mount3-env';

/**
 * RFC 1813 §5.2.2 MOUNTPROC3_DUMP.
 * args: none.
 * res:  the mount list, a linked list of (hostname, directory) — ours holds client addresses
 *       and the dirpaths they mounted.
 */
export function dump3(env: Mount3Env): Procedure<undefined, readonly MountEntry[]> {
  return {
    name: 'DUMP',
    decode: () => undefined,
    run: () => env.mounts.list(),
    encode(w, list) {
      for (const e of list) w.bool(true).string(e.host).string(e.dirpath);
      w.bool(false);
    },
  };
}
