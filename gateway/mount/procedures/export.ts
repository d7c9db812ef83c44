import type { Procedure } from '../../rpc/types';
import type { Mount3Env } from '../mount3-env';

/**
 * RFC 1813 §5.2.5 MOUNTPROC3_EXPORT.
 * args: none.
 * res:  the export list: each export's name and its groups — here the address blocks
 *       allowed to mount it, as configured ('0.0.0.0/0', '::/0' by default).
 */
export interface ExportNode {
  readonly dir: string;
  readonly groups: readonly string[];
}

export function export3(env: Mount3Env): Procedure<undefined, readonly ExportNode[]> {
  return {
    name: 'EXPORT',
    decode: () => undefined,
    run: () => env.exports.list.map((e) => ({ dir: e.config.name, groups: e.config.allowed })),
    encode(w, nodes) {
      for (const n of nodes) {
        w.bool(true).string(n.dir);
        for (const g of n.groups) w.bool(true).string(g);
        w.bool(false);
      }
      w.bool(false);
    },
  };
}
