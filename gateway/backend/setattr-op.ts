import type { BigIntStats } from 'node:fs';
import { chmod, chown, lchown, lstat, lutimes, utimes } from 'node:fs/promises';
import { type Attrs, FileType, type Ino, type SetAttrs, type Time, type Wcc } from './attrs';
import { isLnkStat, wccOf } from './attrs-of';
import type { Cred } from './backend';
import type { OpsContext } from './context';
import { BackendError, fromNodeError } from './errors';
import { checkSetattr, modeForChmod } from './perm-rules';

/**
 * SETATTR (RFC 1813 §3.3.2). Order matters: size first (it moves mtime), then owner (chown
 * clears set-ID bits), then mode, then times last so explicit times win. A non-symlink is
 * changed through an O_PATH descriptor (nothing on the way can be swapped); a symlink through
 * its parent's descriptor with the calls that never follow (lchown, lutimes) — its mode is
 * ignored, as Linux knfsd does.
 *
 * Limits of Node's API: times are set with microsecond precision, and setting only one of
 * atime/mtime rewrites the other with its current value rounded to the microsecond (there is
 * no UTIME_OMIT). Times before 1970 are refused (EINVAL): Node would silently use "now".
 */

function checkSet(set: SetAttrs): void {
  if (set.size !== undefined && (!Number.isSafeInteger(set.size) || set.size < 0)) {
    throw new BackendError('EINVAL', `bad size ${set.size}`);
  }
  for (const t of [set.atime, set.mtime]) {
    if (t === undefined || t === 'server') continue;
    if (
      !Number.isSafeInteger(t.sec) ||
      t.sec < 0 ||
      !Number.isInteger(t.nsec) ||
      t.nsec < 0 ||
      t.nsec > 999_999_999
    ) {
      throw new BackendError('EINVAL', `bad time ${t.sec}.${t.nsec}`);
    }
  }
}

/**
 * Seconds as the double Node wants. libuv turns it back into a timespec and truncates to the
 * microsecond; a double near 2^31 s is only good to ~0.24 µs, so we aim at the middle of the
 * microsecond (+500 ns) and the truncation lands on the one asked for.
 */
function seconds(t: Time | 'server' | undefined, current: Time, now: number): number {
  if (t === 'server') return now;
  const v = t ?? current;
  return v.sec + (Math.floor(v.nsec / 1000) * 1000 + 500) / 1e9;
}

/** NFSv3 sattrguard3: refuse unless the object's ctime is still the one the client saw. */
function checkGuard(a: Attrs, guard: Time | undefined): void {
  if (guard && (guard.sec !== a.ctime.sec || guard.nsec !== a.ctime.nsec)) {
    throw new BackendError('ENOTSYNC', 'ctime guard does not match');
  }
}

export async function setattrOp(
  ctx: OpsContext,
  ino: Ino,
  set: SetAttrs,
  cred: Cred,
  guardCtime?: Time,
): Promise<Wcc> {
  ctx.assertWritable('setattr');
  checkSet(set);
  const first = await ctx.loc.stat(ino);
  try {
    if (isLnkStat(first)) return await setSymlink(ctx, ino, set, cred, guardCtime);
    return await setObject(ctx, ino, set, cred, guardCtime);
  } catch (err) {
    throw fromNodeError(err, `setattr inode ${ino}`);
  }
}

async function setObject(ctx: OpsContext, ino: Ino, set: SetAttrs, cred: Cred, guard?: Time): Promise<Wcc> {
  return ctx.loc.withObject(ino, async (obj) => {
    const pre = obj.st;
    let a = ctx.attrs(pre);
    checkGuard(a, guard);
    checkSetattr(a, set, cred);
    if (set.size !== undefined) {
      if (a.type === FileType.DIR) throw new BackendError('EISDIR', 'truncate of a directory');
      if (a.type !== FileType.REG) throw new BackendError('EINVAL', 'truncate of a special file');
      const size = set.size;
      await ctx.loc.withFile(ino, true, (fh) => fh.truncate(size));
      a = ctx.attrs(await obj.fh.stat({ bigint: true }));
    }
    if (set.uid !== undefined || set.gid !== undefined) {
      await chown(obj.path, set.uid ?? a.uid, set.gid ?? a.gid);
      a = ctx.attrs(await obj.fh.stat({ bigint: true }));
    }
    if (set.mode !== undefined) await chmod(obj.path, modeForChmod(a, set.mode, cred));
    if (set.atime !== undefined || set.mtime !== undefined) {
      const now = Date.now() / 1000;
      await utimes(obj.path, seconds(set.atime, a.atime, now), seconds(set.mtime, a.mtime, now));
    }
    return wcc(ctx, pre, await obj.fh.stat({ bigint: true }));
  });
}

async function setSymlink(ctx: OpsContext, ino: Ino, set: SetAttrs, cred: Cred, guard?: Time): Promise<Wcc> {
  return ctx.loc.withEntry(ino, async (dir, name, pre) => {
    const path = dir.at(name);
    const a = ctx.attrs(pre);
    checkGuard(a, guard);
    checkSetattr(a, set, cred);
    if (set.size !== undefined) throw new BackendError('EINVAL', 'truncate of a symlink');
    if (set.uid !== undefined || set.gid !== undefined)
      await lchown(path, set.uid ?? a.uid, set.gid ?? a.gid);
    if (set.atime !== undefined || set.mtime !== undefined) {
      const now = Date.now() / 1000;
      await lutimes(path, seconds(set.atime, a.atime, now), seconds(set.mtime, a.mtime, now));
    }
    return wcc(ctx, pre, await lstat(path, { bigint: true }));
  });
}

function wcc(ctx: OpsContext, pre: BigIntStats, post: BigIntStats): Wcc {
  return { before: wccOf(pre), after: ctx.attrs(post) };
}
