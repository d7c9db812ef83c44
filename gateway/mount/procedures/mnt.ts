import { type Attrs, FileType } from '../../backend/attrs';
import type { Cred } from '../../backend/backend';
import { BackendError } from '../../backend/errors';
import { type NfsExport, normalizeDirpath } from '../../nfs/exports';
import { AuthFlavor } from '../../rpc/rpc-constants';
import type { Procedure } from '../../rpc/types';
import type { Mount3Env } from '../mount3-env';
import { MNTPATHLEN, MountStat3, toMountStat3 } from '../mount3-status';

/**
 * RFC 1813 §5.2.1 MOUNTPROC3_MNT.
 * args: dirpath — an export's name, or a directory below it ('/export/a/b').
 * ok:   the directory's file handle (the one NFS accepts) and the auth flavors we take,
 *       AUTH_SYS first (clients pick the first they support), then AUTH_NONE.
 * fail: the status alone: MNT3ERR_NOENT for a path no export holds, MNT3ERR_ACCES for a client
 *       address outside the export's list, MNT3ERR_NOTDIR for a path ending in a non-directory.
 * A success is recorded in the mount list (DUMP) under the client's address.
 */
export type Mnt3Res =
  | { readonly stat: MountStat3.MNT3_OK; readonly fh: Buffer; readonly flavors: readonly number[] }
  | { readonly stat: Exclude<MountStat3, MountStat3.MNT3_OK> };

const FLAVORS: readonly number[] = [AuthFlavor.AUTH_SYS, AuthFlavor.AUTH_NONE];

/** The export whose name is `path` or its longest prefix ending at a '/'. */
function exportFor(env: Mount3Env, path: string): { exp: NfsExport; rest: string[] } | undefined {
  let best: NfsExport | undefined;
  for (const e of env.exports.list) {
    const name = e.config.name;
    const holds = path === name || name === '/' || path.startsWith(`${name}/`);
    if (holds && (best === undefined || name.length > best.config.name.length)) best = e;
  }
  if (best === undefined) return undefined;
  const rest = path
    .slice(best.config.name.length)
    .split('/')
    .filter((s) => s.length > 0);
  return { exp: best, rest };
}

/** Walks a subdirectory mount path as the caller: search permission is checked at every step. */
async function walk(exp: NfsExport, rest: readonly string[], cred: Cred): Promise<Attrs> {
  let attrs = await exp.backend.getattr(exp.backend.rootIno);
  for (const name of rest) {
    // '..' could climb out of the export; '.' is pointless. Neither is a path we hand out.
    if (name === '..' || name === '.') throw new BackendError('EACCES', `'${name}' in a mount path`);
    attrs = await exp.backend.lookup(attrs.fileid, name, cred);
  }
  if (attrs.type !== FileType.DIR) throw new BackendError('ENOTDIR', 'mount of a non-directory');
  return attrs;
}

export function mnt3(env: Mount3Env): Procedure<string, Mnt3Res> {
  return {
    name: 'MNT',
    decode: (r) => r.string(MNTPATHLEN),
    async run(dirpath, ctx) {
      const path = normalizeDirpath(dirpath);
      const client = ctx.remoteAddress;
      const found = exportFor(env, path);
      if (found === undefined) {
        env.logger.info('mount refused: no such export', { client, dirpath });
        return { stat: MountStat3.MNT3ERR_NOENT };
      }
      if (!found.exp.allows(client)) {
        env.logger.warn('mount refused: client not allowed', { client, dirpath });
        return { stat: MountStat3.MNT3ERR_ACCES };
      }
      try {
        const attrs = await walk(found.exp, found.rest, found.exp.credOf(ctx.auth));
        const fh = found.exp.handleOf(attrs.fileid);
        env.mounts.add(client, path);
        env.logger.info('mount', { client, dirpath: path, export: found.exp.config.name });
        return { stat: MountStat3.MNT3_OK, fh, flavors: FLAVORS };
      } catch (err) {
        const stat = toMountStat3(err) as Exclude<MountStat3, MountStat3.MNT3_OK>;
        const level = stat === MountStat3.MNT3ERR_SERVERFAULT ? 'warn' : 'info';
        env.logger.log(level, 'mount failed', {
          client,
          dirpath: path,
          stat: MountStat3[stat],
          cause: err instanceof Error ? err.message : String(err),
        });
        return { stat };
      }
    },
    encode(w, res) {
      w.u32(res.stat);
      if (res.stat !== MountStat3.MNT3_OK) return;
      w.opaque(res.fh).u32(res.flavors.length);
      for (const f of res.flavors) w.u32(f);
    },
  };
}
