import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { Ino } from './attrs';
import { permOf } from './attrs-of';
import type { Cred, DirEntry, DirPage } from './backend';
import type { OpsContext } from './context';
import {
  cookieOf,
  DOT_POSITIONS,
  makeSnapshot,
  type Snapshot,
  splitCookie,
  wellFormedCookie,
} from './dir-snapshots';
import { BackendError, fromNodeError } from './errors';
import { type DirAnchor, lstatOrUndefined } from './locator';
import { fsPath, nameFromBytes } from './names';
import { checkList } from './permission';

/**
 * READDIR / READDIRPLUS (RFC 1813 §3.3.16-17) over a snapshot (dir-snapshots.ts). '.' and '..'
 * come first as clients expect ('..' of the root is the root). A page lstats only its own
 * entries — Node's readdir has no d_ino, so even plain READDIR needs one lstat per entry for
 * the fileid — never the whole directory. Entries that vanished since the snapshot are skipped;
 * entries on another device (mount points) are left out, since we do not cross them.
 */

/** lstat calls in flight per page. */
const PARALLEL = 16;

export async function readdirOp(
  ctx: OpsContext,
  dirIno: Ino,
  cookie: bigint,
  maxEntries: number,
  withAttrs: boolean,
  cred?: Cred,
): Promise<DirPage> {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new BackendError('EINVAL', 'maxEntries < 1');
  if (!wellFormedCookie(cookie)) throw new BackendError('EBADCOOKIE', 'cookie out of range');
  return ctx.loc.withDir(dirIno, async (dir) => {
    if (cred) checkList(permOf(dir.st), cred);
    const snap = await snapshotFor(ctx, dir, cookie);
    const total = DOT_POSITIONS + snap.names.length;
    let index = cookie === 0n ? 0 : splitCookie(cookie).position;
    if (index > total) throw new BackendError('EBADCOOKIE', 'cookie past the end of the listing');
    const entries: DirEntry[] = [];
    while (entries.length < maxEntries && index < total) {
      const end = Math.min(total, index + Math.max(1, Math.min(PARALLEL, maxEntries - entries.length)));
      const slice: number[] = [];
      for (let i = index; i < end; i++) slice.push(i);
      const found = await Promise.all(slice.map((i) => entryAt(ctx, dir, snap, i, withAttrs)));
      for (const e of found) if (e) entries.push(e);
      index = end;
    }
    return { entries, eof: index >= total, verifier: snap.verifier, dirAttrs: ctx.attrs(dir.st) };
  });
}

/**
 * Cookie 0 always takes a fresh snapshot (a new listing must see the directory as it is now).
 * A later cookie uses the retained snapshot with its tag, or — after a restart or on another
 * head — a fresh one if the directory is unchanged and so yields the same tag.
 */
async function snapshotFor(ctx: OpsContext, dir: DirAnchor, cookie: bigint): Promise<Snapshot> {
  if (cookie !== 0n) {
    const retained = ctx.snapshots.find(dir.ino, splitCookie(cookie).tag);
    if (retained) return retained;
  }
  let names: string[];
  try {
    names = (await readdir(fsPath(dir.path), { encoding: 'buffer' })).map(nameFromBytes);
  } catch (err) {
    throw fromNodeError(err, `readdir inode ${dir.ino}`);
  }
  const snap = ctx.snapshots.remember(makeSnapshot(dir.ino, dir.st.mtimeNs, dir.st.ctimeNs, names));
  if (cookie !== 0n && snap.tag !== splitCookie(cookie).tag) {
    throw new BackendError('EBADCOOKIE', 'the listing this cookie belongs to is gone');
  }
  return snap;
}

async function entryAt(
  ctx: OpsContext,
  dir: DirAnchor,
  snap: Snapshot,
  index: number,
  withAttrs: boolean,
): Promise<DirEntry | undefined> {
  const cookie = cookieOf(snap.tag, index + 1);
  let name: string;
  let st: BigIntStats | undefined;
  if (index === 0) {
    name = '.';
    st = dir.st;
  } else if (index === 1) {
    name = '..';
    st = dir.ino === ctx.loc.rootIno ? dir.st : await lstat(dir.at('..'), { bigint: true });
    // READDIRPLUS hands out a handle for '..' too: make sure the table knows it (a no-op if it does).
    ctx.loc.note(st);
  } else {
    name = snap.names[index - DOT_POSITIONS]!;
    st = await lstatOrUndefined(dir.at(name));
    if (!st || st.dev !== ctx.loc.dev) return undefined;
    ctx.loc.note(st, { parent: dir.ino, name });
  }
  return withAttrs
    ? { name, fileid: st.ino, cookie, attrs: ctx.attrs(st) }
    : { name, fileid: st.ino, cookie };
}
