/**
 * The CREATE response body (MS-SMB2 §2.2.14): StructureSize 89, OplockLevel, Flags,
 * CreateAction, four FILETIMEs, AllocationSize, EndofFile, FileAttributes, FileId, then the
 * create contexts at offset 152 from the header. Shared by a new open (create.ts) and a
 * reclaimed durable one (durable/reconnect.ts).
 */
import type { Attrs } from '../../backend/attrs';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from '../file-attrs';
import { type FileId, writeFileId } from '../wire';
import { responseBody } from './command';

const CONTEXTS_OFFSET = 152;

export function createResponseBody(
  oplockLevel: number,
  action: number,
  attrs: Attrs,
  fileId: FileId,
  contexts: Buffer,
): Buffer {
  const out = responseBody(89, 88 + contexts.length);
  out[2] = oplockLevel;
  out.writeUInt32LE(action, 4);
  writeTimes(out, 8, attrs);
  out.writeBigUInt64LE(allocationSize(attrs), 40);
  out.writeBigUInt64LE(endOfFile(attrs), 48);
  out.writeUInt32LE(fileAttributes(attrs), 56);
  writeFileId(out, 64, fileId);
  if (contexts.length) {
    out.writeUInt32LE(CONTEXTS_OFFSET, 80);
    out.writeUInt32LE(contexts.length, 84);
    contexts.copy(out, 88);
  }
  return out;
}
