/**
 * CREATE contexts (MS-SMB2 §2.2.13.2 request, §2.2.14.2 response): a chain of
 * { Next (4), NameOffset (2), NameLength (2), Reserved (2), DataOffset (2), DataLength (4) }
 * records, 8-byte aligned, each offset relative to its own record. We read the chain with full
 * bounds checks (a malformed one is STATUS_INVALID_PARAMETER) and answer two of them:
 * "MxAc" (maximal access, §2.2.14.2.5) and "QFid" (on-disk id, §2.2.14.2.9), which Windows and
 * macOS ask for; the lease context ("RqLs") is answered by leases/, the durable-handle contexts
 * (DHnQ, DHnC, DH2Q, DH2C) and the AppInstanceId by durable/. The rest are read past: not
 * granted, not answered.
 */
import { NtStatus, SmbError } from '../ntstatus';
import { align8, bufferAt } from '../wire';

const MAX_CONTEXTS = 32;

const bad = (why: string) => new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `create context: ${why}`);

/** Name (ASCII tag) → data of each context in the request. */
export function parseCreateContexts(message: Buffer, offset: number, length: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (length === 0) return out;
  const all = bufferAt(message, offset, length, 'create contexts');
  let at = 0;
  for (let i = 0; ; i++) {
    if (i >= MAX_CONTEXTS) throw bad('too many');
    if (at + 16 > all.length) throw bad('truncated record');
    const next = all.readUInt32LE(at);
    const nameOff = all.readUInt16LE(at + 4);
    const nameLen = all.readUInt16LE(at + 6);
    const dataOff = all.readUInt16LE(at + 10);
    const dataLen = all.readUInt32LE(at + 12);
    const recEnd = next === 0 ? all.length : at + next;
    if (next !== 0 && (next % 8 !== 0 || recEnd > all.length)) throw bad('bad Next');
    if (nameLen === 0 || at + nameOff + nameLen > recEnd) throw bad('name out of its record');
    if (dataLen > 0 && at + dataOff + dataLen > recEnd) throw bad('data out of its record');
    const name = all.toString('latin1', at + nameOff, at + nameOff + nameLen);
    out.set(name, all.subarray(at + dataOff, at + dataOff + dataLen));
    if (next === 0) return out;
    at += next;
  }
}

/** A response context chain from (name, data) pairs. */
export function buildCreateContexts(items: readonly { name: string; data: Buffer }[]): Buffer {
  const recs = items.map(({ name, data }, i) => {
    const nameBytes = Buffer.from(name, 'latin1');
    const dataOff = align8(16 + nameBytes.length);
    const size = dataOff + data.length;
    const rec = Buffer.alloc(i + 1 < items.length ? align8(size) : size);
    rec.writeUInt16LE(16, 4);
    rec.writeUInt16LE(nameBytes.length, 6);
    rec.writeUInt16LE(dataOff, 10);
    rec.writeUInt32LE(data.length, 12);
    nameBytes.copy(rec, 16);
    data.copy(rec, dataOff);
    if (i + 1 < items.length) rec.writeUInt32LE(rec.length, 0);
    return rec;
  });
  return Buffer.concat(recs);
}

/** Our answers to the contexts we understand. */
export function answerCreateContexts(
  asked: ReadonlyMap<string, Buffer>,
  info: { maximalAccess: number; fileid: bigint; fsid: bigint },
  /** Answers decided elsewhere (the lease context, leases/create-caching.ts). */
  extra: readonly { name: string; data: Buffer }[] = [],
): Buffer {
  const items: { name: string; data: Buffer }[] = [];
  if (asked.has('MxAc')) {
    const d = Buffer.alloc(8);
    d.writeUInt32LE(NtStatus.STATUS_SUCCESS, 0);
    d.writeUInt32LE(info.maximalAccess, 4);
    items.push({ name: 'MxAc', data: d });
  }
  if (asked.has('QFid')) {
    const d = Buffer.alloc(32);
    d.writeBigUInt64LE(BigInt.asUintN(64, info.fileid), 0);
    d.writeBigUInt64LE(BigInt.asUintN(64, info.fsid), 8);
    items.push({ name: 'QFid', data: d });
  }
  items.push(...extra);
  return items.length ? buildCreateContexts(items) : Buffer.alloc(0);
}
