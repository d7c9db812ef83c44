/**
 * Oplock and lease pieces for the raw test client (MS-SMB2 §2.2.13 with an "RqLs" context,
 * §2.2.23 break notifications, §2.2.24 acknowledgments), written from the spec apart from the
 * server's code.
 */
import { Cmd, type Reply, type Smb2TestClient } from './smb2-client';

export const OPLOCK_BREAK = 0x12;
export const OplockLevel = { NONE: 0, LEVEL_II: 1, EXCLUSIVE: 8, BATCH: 9, LEASE: 0xff } as const;
export const LeaseState = { R: 1, H: 2, W: 4 } as const;
export const RWH = 7;

const U = (s: string): Buffer => Buffer.from(s, 'utf16le');

/** CREATE (OPEN_IF, all access, share all) asking for `oplock`, with a v1 lease context when `lease` is given. */
export function cachingCreateBody(
  name: string,
  oplock: number,
  lease?: { key: Buffer; state: number },
  o: { disposition?: number; access?: number; share?: number } = {},
): Buffer {
  const n = U(name);
  const fixed = Buffer.alloc(56);
  fixed.writeUInt16LE(57, 0);
  fixed[3] = oplock;
  fixed.writeUInt32LE(2, 4);
  fixed.writeUInt32LE(o.access ?? 0x0012019f, 24);
  fixed.writeUInt32LE(0x80, 28);
  fixed.writeUInt32LE(o.share ?? 7, 32);
  fixed.writeUInt32LE(o.disposition ?? 3, 36);
  fixed.writeUInt16LE(64 + 56, 44);
  fixed.writeUInt16LE(n.length, 46);
  if (!lease) return Buffer.concat([fixed, n.length ? n : Buffer.alloc(1)]);
  const ctxAt = (64 + 56 + n.length + 7) & ~7;
  const pad = Buffer.alloc(ctxAt - 64 - 56 - n.length);
  const rec = Buffer.alloc(24 + 32);
  rec.writeUInt16LE(16, 4);
  rec.writeUInt16LE(4, 6);
  rec.writeUInt16LE(24, 10);
  rec.writeUInt32LE(32, 12);
  rec.write('RqLs', 16, 'latin1');
  lease.key.copy(rec, 24);
  rec.writeUInt32LE(lease.state, 40);
  fixed.writeUInt32LE(ctxAt, 48);
  fixed.writeUInt32LE(rec.length, 52);
  return Buffer.concat([fixed, n, pad, rec]);
}

/** The lease state granted in a CREATE response's "RqLs" context, undefined without one. */
export function grantedLease(r: Reply): { key: Buffer; state: number } | undefined {
  const off = r.body.readUInt32LE(80);
  const len = r.body.readUInt32LE(84);
  if (!len) return undefined;
  const ctx = r.raw.subarray(off, off + len);
  for (let at = 0; ; ) {
    const next = ctx.readUInt32LE(at);
    const name = ctx.toString('latin1', at + ctx.readUInt16LE(at + 4), at + ctx.readUInt16LE(at + 4) + 4);
    const data = ctx.subarray(
      at + ctx.readUInt16LE(at + 10),
      at + ctx.readUInt16LE(at + 10) + ctx.readUInt32LE(at + 12),
    );
    if (name === 'RqLs') return { key: Buffer.from(data.subarray(0, 16)), state: data.readUInt32LE(16) };
    if (!next) return undefined;
    at += next;
  }
}

export interface LeaseBreak {
  readonly messageId: bigint;
  readonly flags: number;
  readonly key: Buffer;
  readonly current: number;
  readonly next: number;
}

/** A Lease Break Notification frame (§2.2.23.2) parsed, or an error naming what came instead. */
export function parseLeaseBreak(frame: Buffer): LeaseBreak {
  const command = frame.readUInt16LE(12);
  const body = frame.subarray(64);
  if (command !== OPLOCK_BREAK || body.readUInt16LE(0) !== 44)
    throw new Error(
      `expected a lease break, got command 0x${command.toString(16)} size ${body.readUInt16LE(0)}`,
    );
  return {
    messageId: frame.readBigUInt64LE(24),
    flags: body.readUInt32LE(4),
    key: Buffer.from(body.subarray(8, 24)),
    current: body.readUInt32LE(24),
    next: body.readUInt32LE(28),
  };
}

/** Lease Break Acknowledgment (§2.2.24.2) for `key`, accepting `state`. */
export function leaseAck(c: Smb2TestClient, key: Buffer, state: number): Promise<Reply> {
  const body = Buffer.alloc(36);
  body.writeUInt16LE(36, 0);
  key.copy(body, 8);
  body.writeUInt32LE(state, 24);
  return c.send(OPLOCK_BREAK, body);
}

export { Cmd };
