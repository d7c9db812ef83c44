import type { BigIntStats } from 'node:fs';
import { type FileHandle, lstat, rename, rmdir, unlink } from 'node:fs/promises';
import type { Ino } from './attrs';
import { isDirStat, permOf, wccOf } from './attrs-of';
import type { Cred, RemoveResult, RenameResult } from './backend';
import { entryName } from './confine';
import type { OpsContext } from './context';
import { BackendError, fromNodeError } from './errors';
import { type DirAnchor, lstatOrUndefined } from './locator';
import { checkAddEntry, checkMoveDirAcross, checkRemoveEntry } from './permission';

/**
 * REMOVE, RMDIR and RENAME (RFC 1813 §3.3.12-14). The object losing a name is pinned with an
 * O_PATH descriptor first, so its attributes *after* the call (nlink decremented, new ctime)
 * come from fstat rather than a guess, and "gone" is what the kernel says (nlink 0) — the
 * upcall layer sends FORGET on it. Gone objects leave the inode table, the descriptor cache
 * and the listing cache; survivors (other hard links) only lose this link.
 */

async function lstatEntry(dir: DirAnchor, name: string): Promise<BigIntStats> {
  try {
    return await lstat(dir.at(name), { bigint: true });
  } catch (err) {
    throw fromNodeError(err, `lookup ${name}`);
  }
}

/** Runs `act` with the victim pinned; returns its post-op stat. */
async function withVictim(
  ctx: OpsContext,
  path: string | Buffer,
  st: BigIntStats,
  act: () => Promise<void>,
): Promise<BigIntStats> {
  const pinned: FileHandle = await ctx.loc.pin(path, st.ino);
  try {
    await act();
    return await pinned.stat({ bigint: true });
  } finally {
    await pinned.close();
  }
}

function settle(ctx: OpsContext, ino: Ino, post: BigIntStats, dirIno: Ino, name: string): boolean {
  const gone = post.nlink === 0n;
  if (gone) ctx.forget(ino);
  else ctx.table.dropLink(ino, { parent: dirIno, name });
  return gone;
}

async function removeEntry(
  ctx: OpsContext,
  dirIno: Ino,
  name: string,
  dirWanted: boolean,
  cred: Cred | undefined,
): Promise<RemoveResult> {
  return ctx.loc.withDir(dirIno, async (dir) => {
    const path = dir.at(name);
    const pre = await lstatEntry(dir, name);
    if (dirWanted && !isDirStat(pre)) throw new BackendError('ENOTDIR', `${name} is not a directory`);
    if (!dirWanted && isDirStat(pre)) throw new BackendError('EISDIR', `${name} is a directory`);
    if (cred) checkRemoveEntry(permOf(dir.st), permOf(pre), cred);
    const post = await withVictim(ctx, path, pre, () =>
      (dirWanted ? rmdir(path) : unlink(path)).catch((err) => {
        throw fromNodeError(err, `${dirWanted ? 'rmdir' : 'remove'} ${name}`);
      }),
    );
    const gone = settle(ctx, pre.ino, post, dirIno, name);
    const after = await dir.restat();
    return { dir: { before: wccOf(dir.st), after: ctx.attrs(after) }, target: ctx.attrs(post), gone };
  });
}

export async function removeOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  cred?: Cred,
): Promise<RemoveResult> {
  ctx.assertWritable('remove');
  return removeEntry(ctx, dirIno, entryName(rawName, 'remove'), false, cred);
}

export async function rmdirOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  cred?: Cred,
): Promise<RemoveResult> {
  ctx.assertWritable('rmdir');
  return removeEntry(ctx, dirIno, entryName(rawName, 'rmdir'), true, cred);
}

/**
 * RENAME. Both directories are held by descriptor for the call. Renaming onto another name of
 * the same inode does nothing (POSIX). A directory's rename updates one table link; its
 * descendants' paths follow, since they are built through it.
 */
export async function renameOp(
  ctx: OpsContext,
  fromDirIno: Ino,
  fromRaw: string,
  toDirIno: Ino,
  toRaw: string,
  cred?: Cred,
): Promise<RenameResult> {
  ctx.assertWritable('rename');
  const fromName = entryName(fromRaw, 'rename');
  const toName = entryName(toRaw, 'rename');
  return ctx.loc.withDir(fromDirIno, (from) =>
    ctx.loc.withDir(toDirIno, async (to) => {
      const src = from.at(fromName);
      const dst = to.at(toName);
      const moved = await lstatEntry(from, fromName);
      const existing = await lstatOrUndefined(dst);
      if (cred) {
        checkRemoveEntry(permOf(from.st), permOf(moved), cred);
        if (existing) checkRemoveEntry(permOf(to.st), permOf(existing), cred);
        else checkAddEntry(permOf(to.st), cred);
        if (fromDirIno !== toDirIno) checkMoveDirAcross(permOf(moved), cred);
      }
      const doRename = () =>
        rename(src, dst).catch((err) => {
          throw fromNodeError(err, `rename ${fromName} → ${toName}`);
        });
      let replaced: RenameResult['replaced'];
      if (existing && existing.ino === moved.ino) {
        // Same object under both names (or the same name): POSIX says do nothing.
      } else if (existing) {
        const post = await withVictim(ctx, dst, existing, doRename);
        replaced = { attrs: ctx.attrs(post), gone: settle(ctx, existing.ino, post, toDirIno, toName) };
      } else {
        await doRename();
      }
      const movedPost = existing?.ino === moved.ino ? moved : await lstat(dst, { bigint: true });
      if (existing?.ino !== moved.ino) {
        ctx.table.moveLink(
          moved.ino,
          { parent: fromDirIno, name: fromName },
          { parent: toDirIno, name: toName },
        );
        ctx.loc.note(movedPost, { parent: toDirIno, name: toName });
      }
      const fromAfter = ctx.attrs(await from.restat());
      const toAfter = fromDirIno === toDirIno ? fromAfter : ctx.attrs(await to.restat());
      return {
        fromDir: { before: wccOf(from.st), after: fromAfter },
        toDir: { before: wccOf(to.st), after: toAfter },
        moved: ctx.attrs(movedPost),
        ...(replaced ? { replaced } : {}),
      };
    }),
  );
}
