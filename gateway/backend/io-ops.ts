import type { Attrs, Ino } from './attrs';
import { isDirStat, isRegStat, permOf, wccOf } from './attrs-of';
import type { Cred, ReadResult, Stability, WriteResult } from './backend';
import type { OpsContext } from './context';
import { BackendError } from './errors';
import { checkRead, checkWrite } from './permission';

/**
 * READ, WRITE and COMMIT (RFC 1813 §3.3.6, §3.3.7, §3.3.21) through cached descriptors, so a
 * stream of small calls costs one open. Attributes come from fstat of the same descriptor,
 * which also tells a file deleted since it was opened (nlink 0 → ESTALE).
 */

/** Offsets and lengths are byte positions in a file: non-negative safe integers. */
function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new BackendError('EINVAL', `bad range ${offset}+${length}`);
  }
  if (offset + length > Number.MAX_SAFE_INTEGER) throw new BackendError('EFBIG', 'range beyond 2^53');
}

export async function readOp(
  ctx: OpsContext,
  ino: Ino,
  offset: number,
  count: number,
  cred?: Cred,
  known?: Attrs,
  into?: Buffer,
): Promise<ReadResult> {
  checkRange(offset, count);
  const want = Math.min(count, ctx.maxIo);
  return ctx.loc.withFile(ino, false, async (fh) => {
    // Stat before the read only when the permission check needs it and nobody gave attributes.
    const before =
      known === undefined && cred && cred.uid !== 0 ? await ctx.loc.fstatLive(fh, ino) : undefined;
    if (cred && cred.uid !== 0) checkRead(known ?? permOf(before!), cred);
    // The caller's buffer when it has room (no allocation, no copy), else one of our own.
    const buf = into && into.length >= want ? into : Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    // A short read near EOF would otherwise pin the whole (up to maxIo) allocation.
    const data = got * 2 < want && buf !== into ? Buffer.from(buf.subarray(0, got)) : buf.subarray(0, got);
    if (known !== undefined) {
      // Ending exactly at the known size is EOF; reading past it means the file grew since,
      // so only a short read may say EOF then.
      return { data, eof: got < want || offset + got === known.size, attrs: known };
    }
    const st = before ?? (await ctx.loc.fstatLive(fh, ino));
    return { data, eof: got < want || offset + got >= Number(st.size), attrs: ctx.attrs(st) };
  });
}

/**
 * Writes all of `data` at `offset`. 'file-sync' flushes data and metadata (fsync), 'data-sync'
 * the data (fdatasync), 'unstable' nothing; we report exactly the stability we delivered.
 */
export async function writeOp(
  ctx: OpsContext,
  ino: Ino,
  offset: number,
  data: Buffer,
  stable: Stability,
  cred?: Cred,
): Promise<WriteResult> {
  ctx.assertWritable('write');
  checkRange(offset, data.length);
  return ctx.loc.withFile(ino, true, async (fh) => {
    const pre = await ctx.loc.fstatLive(fh, ino);
    if (cred) checkWrite(permOf(pre), cred);
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
    if (stable === 'file-sync') await fh.sync();
    else if (stable === 'data-sync') await fh.datasync();
    const post = await fh.stat({ bigint: true });
    return { count: done, committed: stable, wcc: { before: wccOf(pre), after: ctx.attrs(post) } };
  });
}

/** COMMIT / SMB FLUSH: fsync the file (or directory); other types have nothing to flush. */
export async function fsyncOp(ctx: OpsContext, ino: Ino): Promise<Attrs> {
  const st = await ctx.loc.stat(ino);
  if (isRegStat(st)) {
    return ctx.loc.withFile(ino, false, async (fh) => {
      await fh.sync();
      return ctx.attrs(await ctx.loc.fstatLive(fh, ino));
    });
  }
  if (isDirStat(st)) {
    return ctx.loc.withDir(ino, async (dir) => {
      await dir.fh.sync();
      return ctx.attrs(await dir.restat());
    });
  }
  return ctx.attrs(st);
}
