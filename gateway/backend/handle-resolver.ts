import type { BigIntStats } from 'node:fs';
import type { Ino } from './attrs';
import { genOf } from './attrs-of';
import type { OpsContext } from './context';
import { BackendError } from './errors';
import { DEPTH_UNKNOWN, type DecodedHandle } from './handle-codec';
import { scanFrom, walkHints } from './inode-scan';

/**
 * Handle → inode. The inode table answers while we know the object; after a restart (or for a
 * handle another head minted) the handle's ancestor hints lead from the root to the object's
 * directory, one level at a time; if the tree was reshaped since (an ancestor moved), a bounded
 * breadth-first scan takes over. The generation must match what is found there: an inode
 * number reused by a new file leaves old handles ESTALE, never pointing at the newcomer.
 */
export async function resolveHandle(ctx: OpsContext, d: DecodedHandle, raw: Buffer): Promise<Ino> {
  if (d.fsid !== BigInt.asUintN(64, ctx.fsid))
    throw new BackendError('ESTALE', 'handle of another file system');
  const ino = d.ino;
  let st: BigIntStats;
  if (ino === ctx.loc.rootIno || ctx.table.has(ino)) {
    st = await ctx.loc.stat(ino);
  } else if (ctx.table.isTombstoned(ino)) {
    throw new BackendError('ESTALE', `inode ${ino} was deleted`);
  } else {
    st = await search(ctx, d);
  }
  if (genOf(st) !== d.gen) throw new BackendError('ESTALE', `inode ${ino} now belongs to a newer object`);
  // The client's handle becomes ours for this object, so handleOf gives the client back the same bytes.
  ctx.table.setHandle(ino, Buffer.from(raw));
  return ino;
}

async function search(ctx: OpsContext, d: DecodedHandle): Promise<BigIntStats> {
  const root = { ino: ctx.loc.rootIno, path: ctx.loc.rootPath };
  const budget = { remaining: ctx.loc.scanLimit };
  const hinted =
    d.depth === DEPTH_UNKNOWN
      ? undefined
      : await walkHints(ctx.loc.scanIo, root, d.hints, d.truncated, d.ino, budget);
  if (!hinted) ctx.log.debug('handle hints did not lead to the inode; scanning', { ino: String(d.ino) });
  const hit = hinted ?? (await scanFrom(ctx.loc.scanIo, root, d.ino, budget));
  if (!hit) {
    ctx.table.forget(d.ino);
    throw new BackendError('ESTALE', `inode ${d.ino} not found in the export`);
  }
  ctx.loc.recordChain(hit.chain);
  return hit.st;
}
