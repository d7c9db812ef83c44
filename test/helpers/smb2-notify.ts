/**
 * CHANGE_NOTIFY and CANCEL for the raw test client, from MS-SMB2 §2.2.35/§2.2.36/§2.2.30 and
 * MS-FSCC §2.7.1, written apart from the server's encoder.
 */
import { Cmd, type Reply, type Smb2TestClient } from './smb2-client';

export const CHANGE_NOTIFY = 15;
export const STATUS = {
  PENDING: 0x00000103,
  NOTIFY_CLEANUP: 0x0000010b,
  NOTIFY_ENUM_DIR: 0x0000010c,
  CANCELLED: 0xc0000120,
} as const;
export const ASYNC_FLAG = 0x2;
/** FILE_NAME | DIR_NAME | ATTRIBUTES | SIZE | LAST_WRITE ... everything smbclient asks for. */
export const ALL_FILTERS = 0x0fff;

export function notifyBody(
  fileId: Buffer,
  o: { outputLength?: number; filter?: number; tree?: boolean } = {},
) {
  const b = Buffer.alloc(32);
  b.writeUInt16LE(32, 0);
  b.writeUInt16LE(o.tree ? 1 : 0, 2);
  b.writeUInt32LE(o.outputLength ?? 4096, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(o.filter ?? ALL_FILTERS, 24);
  return b;
}

/** The AsyncId of an async-form reply (header offset 32). */
export function asyncIdOf(r: Reply): bigint {
  return r.raw.readBigUInt64LE(32);
}

export interface NotifyEntry {
  action: number;
  name: string;
}

/** FILE_NOTIFY_INFORMATION entries of a CHANGE_NOTIFY response body. */
export function parseNotify(body: Buffer): NotifyEntry[] {
  const offset = body.readUInt16LE(2);
  const length = body.readUInt32LE(4);
  if (length === 0) return [];
  const buf = body.subarray(offset - 64, offset - 64 + length);
  const out: NotifyEntry[] = [];
  for (let at = 0; ; ) {
    const next = buf.readUInt32LE(at);
    const n = buf.readUInt32LE(at + 8);
    out.push({
      action: buf.readUInt32LE(at + 4),
      name: buf.subarray(at + 12, at + 12 + n).toString('utf16le'),
    });
    if (next === 0) return out;
    if (next % 4 !== 0) throw new Error(`NextEntryOffset ${next} is not 4-byte aligned`);
    at += next;
  }
}

/** Sends CHANGE_NOTIFY and returns its first reply (the interim one when it goes async). */
export function changeNotify(
  c: Smb2TestClient,
  fileId: Buffer,
  o: { outputLength?: number; filter?: number; tree?: boolean } = {},
): Promise<Reply> {
  return c.send(CHANGE_NOTIFY, notifyBody(fileId, o));
}

/** SMB2 CANCEL in the async form, naming `asyncId`; no reply of its own. */
export function cancelAsync(c: Smb2TestClient, asyncId: bigint, messageId: bigint): void {
  const body = Buffer.alloc(4);
  body.writeUInt16LE(4, 0);
  const msg = c.message({ command: Cmd.CANCEL, body, messageId, flags: ASYNC_FLAG, creditCharge: 0 });
  msg.writeBigUInt64LE(asyncId, 32);
  c.sendFrame(msg);
}

/** The next frame parsed as one reply (an async CHANGE_NOTIFY completion). */
export async function nextReply(c: Smb2TestClient, timeoutMs = 5000): Promise<Reply> {
  const f = await c.nextFrame(timeoutMs);
  if (!f) throw new Error('connection closed');
  return {
    status: f.readUInt32LE(8),
    command: f.readUInt16LE(12),
    credits: f.readUInt16LE(14),
    flags: f.readUInt32LE(16),
    messageId: f.readBigUInt64LE(24),
    treeId: 0,
    sessionId: f.readBigUInt64LE(40),
    signature: Buffer.from(f.subarray(48, 64)),
    body: f.subarray(64),
    raw: f,
  };
}
