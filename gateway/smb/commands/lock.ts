/**
 * SMB2 LOCK (MS-SMB2 §2.2.26 request, §2.2.27 response, §3.3.5.14 processing).
 *
 * Request: StructureSize 48, LockCount, LockSequence (ignored: no resilient handles), FileId,
 * then LockCount SMB2_LOCK_ELEMENTs of 24 bytes (Offset, Length, Flags, Reserved). Either every
 * element unlocks (flags exactly UNLOCK; each must name a range this Open locked, else
 * STATUS_RANGE_NOT_LOCKED) or
 * every element locks, SHARED or EXCLUSIVE, with FAIL_IMMEDIATELY required when there are
 * several. A lock that conflicts → STATUS_LOCK_NOT_GRANTED, and the locks this request already
 * took are given back, so a request succeeds or fails as a whole. A single blocking lock
 * (without FAIL_IMMEDIATELY) that conflicts goes async and waits for the range (LockWaits).
 * Response: StructureSize 4.
 */
import { Smb2Command, Smb2Flags } from '../header';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { type CommandContext, openAt, responseBody, type SmbCommand, type SmbResponse } from './command';

const SHARED = 0x1;
const EXCLUSIVE = 0x2;
const UNLOCK = 0x4;
const FAIL_IMMEDIATELY = 0x10;
const U64_END = 1n << 64n;

interface Element {
  offset: bigint;
  length: bigint;
  flags: number;
}

const bad = (why: string) => new SmbError(NtStatus.STATUS_INVALID_PARAMETER, why);

function elements(body: Buffer, count: number): Element[] {
  if (count === 0) throw bad('LockCount 0');
  if (body.length < 24 + 24 * count) throw bad(`${count} lock elements do not fit the request`);
  return Array.from({ length: count }, (_, i) => ({
    offset: body.readBigUInt64LE(24 + 24 * i),
    length: body.readBigUInt64LE(32 + 24 * i),
    flags: body.readUInt32LE(40 + 24 * i),
  }));
}

/** A blocking lock that must wait: parked, answered now with an interim STATUS_PENDING. */
function park(ctx: CommandContext, open: Open, e: Element): SmbResponse {
  const h = ctx.header;
  const s = open.session;
  const signs = s.canSign && ((h.flags & Smb2Flags.SIGNED) !== 0 || s.signingRequired);
  const asyncId = ctx.server.notify.newAsyncId();
  ctx.server.lockWaits.park({
    sink: ctx.conn,
    command: Smb2Command.LOCK,
    asyncId,
    messageId: h.messageId,
    sessionId: h.sessionId,
    creditCharge: h.creditCharge,
    ...(signs ? { signer: s } : {}),
    open,
    offset: e.offset,
    length: e.length,
    exclusive: (e.flags & EXCLUSIVE) !== 0,
  });
  return { status: NtStatus.STATUS_PENDING, body: responseBody(9), asyncId };
}

export const lock: SmbCommand = {
  name: 'LOCK',
  structureSize: 48,
  needs: 'tree',
  run(ctx: CommandContext): SmbResponse {
    const els = elements(ctx.body, ctx.body.readUInt16LE(2));
    const open = openAt(ctx, 8);
    if (open.isDir) throw bad('LOCK on a directory');
    const locks = ctx.server.locks;
    if (els[0]!.flags & UNLOCK) {
      // One element after another, as Windows does: an earlier range not locked answers
      // RANGE_NOT_LOCKED before a later element's bad flags are seen.
      for (const e of els) {
        if (e.flags !== UNLOCK) throw bad(`flags 0x${e.flags.toString(16)} in an unlock request`);
        if (!locks.unlock(open, e.offset, e.length))
          throw new SmbError(NtStatus.STATUS_RANGE_NOT_LOCKED, `unlock of ${e.offset}+${e.length}`);
        ctx.server.lockWaits.retry(open.ino);
      }
      return { body: responseBody(4) };
    }
    for (const e of els) {
      const kind = e.flags & ~FAIL_IMMEDIATELY;
      if (kind !== SHARED && kind !== EXCLUSIVE) throw bad(`lock flags 0x${e.flags.toString(16)}`);
      if (els.length > 1 && !(e.flags & FAIL_IMMEDIATELY))
        throw bad('several locks without FAIL_IMMEDIATELY');
      if (e.offset + e.length > U64_END)
        throw new SmbError(NtStatus.STATUS_INVALID_LOCK_RANGE, `${e.offset}+${e.length} wraps`);
    }
    ctx.server.caching.breakForWrite(open); // a lock breaks LEVEL_II oplocks, its own too (smb2.oplock.brl3)
    const taken: Element[] = [];
    for (const e of els) {
      const ok = locks.tryLock({
        open,
        offset: e.offset,
        length: e.length,
        exclusive: (e.flags & EXCLUSIVE) !== 0,
      });
      if (!ok && els.length === 1 && !(e.flags & FAIL_IMMEDIATELY)) return park(ctx, open, e);
      if (!ok) {
        for (const t of taken) locks.unlock(open, t.offset, t.length);
        throw new SmbError(NtStatus.STATUS_LOCK_NOT_GRANTED, `range ${e.offset}+${e.length} is locked`);
      }
      taken.push(e);
    }
    return { body: responseBody(4) };
  },
};
