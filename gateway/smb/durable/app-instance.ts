/**
 * SMB2_CREATE_APP_INSTANCE_ID (MS-SMB2 §2.2.13.2.13, §3.3.5.9.13; 3.x only): a clustered
 * application failing over to another client names its instance, and the server closes the
 * instance's open of the same file on the same share made from another client (another
 * ClientGuid) — closed outright, no oplock or lease break first (smb2.durable-v2-open.app-instance).
 * Context data: StructureSize (2, = 20), Reserved (2), AppInstanceId (16).
 */
import type { Ino } from '../../backend/attrs';
import { closeOpen } from '../close-open';
import type { CommandContext } from '../commands/command';
import type { Open } from '../open-table';
import type { TreeConnect } from '../tree';

/** The context's name: the GUID 6AA6BC45-A7EF-4AF7-9008-FA462E144D74 in its wire form. */
export const APP_INSTANCE_ID_TAG = Buffer.from('45bca66aefa7f74a9008fa462e144d74', 'hex').toString('latin1');

/** AppInstanceId of each open made with one (dropped with the open). */
const appInstanceOf = new WeakMap<Open, string>();

/** The request's AppInstanceId in hex, or undefined (absent, malformed, or a 2.x connection). */
export function appInstanceId(
  ctx: CommandContext,
  contexts: ReadonlyMap<string, Buffer>,
): string | undefined {
  const d = contexts.get(APP_INSTANCE_ID_TAG);
  if (!d || d.length < 20 || !ctx.conn.is3x) return undefined;
  return d.toString('hex', 4, 20);
}

/** Closes the other clients' opens of `ino` under this AppInstanceId, path and share. */
export async function closeAppInstanceOpens(
  ctx: CommandContext,
  id: string,
  ino: Ino,
  path: string,
  tree: TreeConnect,
): Promise<void> {
  const mine = ctx.conn.clientGuid;
  for (const o of [...ctx.server.opens.opensOf(ino)]) {
    if (appInstanceOf.get(o) !== id || o.tree.share !== tree.share) continue;
    if (o.path.toLowerCase() !== path.toLowerCase()) continue;
    if (o.session.conn?.clientGuid.equals(mine)) continue;
    ctx.log.debug('open closed by a new open of its application instance', { path });
    await closeOpen(ctx.server, o, ctx.log);
  }
}

export function noteAppInstance(open: Open, id: string | undefined): void {
  if (id !== undefined) appInstanceOf.set(open, id);
}
