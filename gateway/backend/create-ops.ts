import { type BigIntStats, constants } from 'node:fs';
import {
  chmod,
  chown,
  type FileHandle,
  lchown,
  link,
  lstat,
  mkdir,
  open,
  rmdir,
  symlink,
  unlink,
} from 'node:fs/promises';
import type { Attrs, Ino, Wcc } from './attrs';
import { fileTypeOf, isLnkStat, isRegStat, permOf, wccOf } from './attrs-of';
import type { CreateHow, CreateResult, Cred, SpecialType } from './backend';
import { checkSymlinkTarget, entryName } from './confine';
import type { OpsContext } from './context';
import { BackendError, fromNodeError } from './errors';
import { type DirAnchor, lstatOrUndefined, stale } from './locator';
import { makeSpecial } from './mknod-special';
import { fsPath } from './names';
import { modeForNew, ownerForNew } from './perm-rules';
import { canAddEntry, checkAddEntry, checkHardlink, checkSearch, checkWrite } from './permission';

/**
 * CREATE, MKDIR, SYMLINK, MKNOD and LINK (RFC 1813 §3.3.8-11, §3.3.15). Each runs inside the
 * parent's descriptor (confine.ts), gives the new object the caller's identity with lchown /
 * fchown (the gateway runs as root) and its exact mode, and returns the parent's wcc data.
 * A failure after the object appeared removes it again, so no half-made object stays behind.
 * The caller needs write and search permission on the directory (permission.ts).
 */

const { O_RDWR, O_RDONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/**
 * NFSv3 EXCLUSIVE create (RFC 1813 §3.3.8): like Linux knfsd we keep the 8-byte verifier in
 * the new file's mtime (first 4 bytes) and atime (last 4) seconds, high bits cleared so old
 * timestamp formats hold them. A retransmission finds the same verifier (and size 0) and
 * succeeds; any other existing file is EEXIST. The client sets the real times afterwards.
 */
function verifierTimes(v: bigint): { atime: number; mtime: number } {
  return { mtime: Number((v >> 32n) & 0x7fffffffn), atime: Number(v & 0x7fffffffn) };
}

function holdsVerifier(st: BigIntStats, v: bigint): boolean {
  const t = verifierTimes(v);
  return (
    isRegStat(st) &&
    st.size === 0n &&
    st.mtimeNs / 1_000_000_000n === BigInt(t.mtime) &&
    st.atimeNs / 1_000_000_000n === BigInt(t.atime)
  );
}

async function parentWcc(dir: DirAnchor, ctx: OpsContext): Promise<Wcc> {
  return { before: wccOf(dir.st), after: ctx.attrs(await dir.restat()) };
}

async function openNew(path: string | Buffer): Promise<FileHandle | undefined> {
  try {
    return await open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw fromNodeError(err, 'create');
  }
}

/** UNCHECKED create over an existing regular file opens it — the one we just looked at. */
async function openExisting(path: string | Buffer, ino: Ino): Promise<FileHandle> {
  const fh = await open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK).catch((err) => {
    throw fromNodeError(err, 'open existing');
  });
  const st = await fh.stat({ bigint: true });
  if (st.ino !== ino || !isRegStat(st)) {
    await fh.close();
    throw new BackendError('EEXIST', 'entry changed during create');
  }
  return fh;
}

export async function createOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  how: CreateHow,
  cred: Cred,
): Promise<CreateResult> {
  ctx.assertWritable('create');
  const name = entryName(rawName, 'create');
  const exclusive = how.exclusiveVerifier;
  if (how.size !== undefined && (!Number.isSafeInteger(how.size) || how.size < 0)) {
    throw new BackendError('EINVAL', `bad size ${how.size}`);
  }
  return ctx.loc.withDir(dirIno, async (dir) => {
    const path = dir.at(name);
    const dirPerm = permOf(dir.st);
    checkSearch(dirPerm, cred);
    // Without write permission on the directory we may still "create" over an existing file
    // (UNCHECKED opens it, an EXCLUSIVE retransmission finds its verifier), never make one.
    const mayAdd = canAddEntry(dirPerm, cred);
    let fh = mayAdd ? await openNew(path) : undefined;
    const created = fh !== undefined;
    if (!fh) {
      const existing = await lstatOrUndefined(path);
      if (!existing && !mayAdd) checkAddEntry(dirPerm, cred);
      if (exclusive !== undefined && existing && holdsVerifier(existing, exclusive)) {
        ctx.loc.note(existing, { parent: dirIno, name });
        return { attrs: ctx.attrs(existing), dir: await parentWcc(dir, ctx) };
      }
      // GUARDED, EXCLUSIVE, and UNCHECKED over anything but a regular file (as knfsd).
      if (exclusive !== undefined || how.guarded || !existing || !isRegStat(existing)) {
        throw new BackendError('EEXIST', `${name} exists`);
      }
      if (how.size !== undefined) checkWrite(permOf(existing), cred);
      fh = await openExisting(path, existing.ino);
    }
    try {
      if (created) {
        const owner = ownerForNew(dir.st, cred);
        await fh.chown(owner.uid, owner.gid);
        await fh.chmod(modeForNew(how.mode, false, dir.st, owner.gid, cred));
        if (exclusive !== undefined) {
          const t = verifierTimes(exclusive);
          await fh.utimes(t.atime, t.mtime);
        }
      }
      if (how.size !== undefined && exclusive === undefined) await fh.truncate(how.size);
      const st = await fh.stat({ bigint: true });
      ctx.loc.note(st, { parent: dirIno, name });
      ctx.fds.adopt(st.ino, 'file', { fh, writable: true });
      fh = undefined;
      return { attrs: ctx.attrs(st), dir: await parentWcc(dir, ctx) };
    } catch (err) {
      if (created) await unlink(path).catch(() => {});
      throw fromNodeError(err, `create ${name}`);
    } finally {
      await fh?.close();
    }
  });
}

export async function mkdirOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  mode: number,
  cred: Cred,
): Promise<CreateResult> {
  ctx.assertWritable('mkdir');
  const name = entryName(rawName, 'create');
  return ctx.loc.withDir(dirIno, async (dir) => {
    checkAddEntry(permOf(dir.st), cred);
    const path = dir.at(name);
    await mkdir(path, 0o700).catch((err) => {
      throw fromNodeError(err, `mkdir ${name}`);
    });
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      const owner = ownerForNew(dir.st, cred);
      await fh.chown(owner.uid, owner.gid);
      await fh.chmod(modeForNew(mode, true, dir.st, owner.gid, cred));
      const st = await fh.stat({ bigint: true });
      ctx.loc.note(st, { parent: dirIno, name });
      ctx.fds.adopt(st.ino, 'dir', { fh, writable: false });
      fh = undefined;
      return { attrs: ctx.attrs(st), dir: await parentWcc(dir, ctx) };
    } catch (err) {
      await rmdir(path).catch(() => {});
      throw fromNodeError(err, `mkdir ${name}`);
    } finally {
      await fh?.close();
    }
  });
}

/** The mode argument is ignored: Linux symlinks are always 0777 and their mode is never used. */
export async function symlinkOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  target: string,
  cred: Cred,
): Promise<CreateResult> {
  ctx.assertWritable('symlink');
  const name = entryName(rawName, 'create');
  checkSymlinkTarget(target);
  return ctx.loc.withDir(dirIno, async (dir) => {
    checkAddEntry(permOf(dir.st), cred);
    const path = dir.at(name);
    await symlink(fsPath(target), path).catch((err) => {
      throw fromNodeError(err, `symlink ${name}`);
    });
    try {
      const owner = ownerForNew(dir.st, cred);
      await lchown(path, owner.uid, owner.gid);
      const st = await lstat(path, { bigint: true });
      if (!isLnkStat(st)) throw new BackendError('EIO', `${name} changed while being created`);
      ctx.loc.note(st, { parent: dirIno, name });
      return { attrs: ctx.attrs(st), dir: await parentWcc(dir, ctx) };
    } catch (err) {
      await unlink(path).catch(() => {});
      throw fromNodeError(err, `symlink ${name}`);
    }
  });
}

const SPECIAL_MODE: Record<SpecialType, bigint> = {
  fifo: 0o010000n,
  chr: 0o020000n,
  blk: 0o060000n,
  sock: 0o140000n,
};

export async function mknodOp(
  ctx: OpsContext,
  dirIno: Ino,
  rawName: string,
  type: SpecialType,
  mode: number,
  rdev: { major: number; minor: number },
  cred: Cred,
): Promise<CreateResult> {
  ctx.assertWritable('mknod');
  const name = entryName(rawName, 'create');
  return ctx.loc.withDir(dirIno, async (dir) => {
    checkAddEntry(permOf(dir.st), cred);
    const path = dir.at(name);
    await makeSpecial(dir.path, name, type, mode, rdev);
    try {
      const made = await lstat(path, { bigint: true });
      if (fileTypeOf(made.mode) !== fileTypeOf(SPECIAL_MODE[type]))
        throw new BackendError('EIO', 'type changed');
      const pinned = await ctx.loc.pin(path, made.ino);
      try {
        // chown before chmod: chown clears set-ID bits, chmod then sets exactly what was asked.
        const owner = ownerForNew(dir.st, cred);
        const objPath = ctx.loc.fdPath(pinned, path);
        await chown(objPath, owner.uid, owner.gid);
        await chmod(objPath, modeForNew(mode, false, dir.st, owner.gid, cred));
        const st = await pinned.stat({ bigint: true });
        ctx.loc.note(st, { parent: dirIno, name });
        return { attrs: ctx.attrs(st), dir: await parentWcc(dir, ctx) };
      } finally {
        await pinned.close();
      }
    } catch (err) {
      await unlink(path).catch(() => {});
      throw fromNodeError(err, `mknod ${name}`);
    }
  });
}

/** LINK: the source is reached as a name in its own parent's descriptor (link never follows). */
export async function linkOp(
  ctx: OpsContext,
  ino: Ino,
  dirIno: Ino,
  rawName: string,
  cred?: Cred,
): Promise<{ attrs: Attrs; dir: Wcc }> {
  ctx.assertWritable('link');
  const name = entryName(rawName, 'create');
  return ctx.loc.withEntry(ino, (srcDir, srcName, srcSt) =>
    ctx.loc.withDir(dirIno, async (dir) => {
      if (cred) {
        checkAddEntry(permOf(dir.st), cred);
        checkHardlink(permOf(srcSt), cred);
      }
      const path = dir.at(name);
      await link(srcDir.at(srcName), path).catch((err) => {
        throw fromNodeError(err, `link ${name}`);
      });
      const st = await lstatOrUndefined(path);
      if (!st || !ctx.loc.is(st, ino)) {
        // The source name was replaced between check and link: undo, report the old object gone.
        await unlink(path).catch(() => {});
        throw stale(ino);
      }
      ctx.loc.note(st, { parent: dirIno, name });
      return { attrs: ctx.attrs(st), dir: await parentWcc(dir, ctx) };
    }),
  );
}
