/**
 * SMB2 CLOSE (MS-SMB2 §2.2.15 request, §2.2.16 response, §3.3.5.10 processing).
 *
 * Request: StructureSize 24, Flags (SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001), FileId.
 * Response: StructureSize 60, Flags, then — only when POSTQUERY_ATTRIB was asked — the four
 * FILETIMEs, AllocationSize, EndofFile and FileAttributes (taken just before the close, so a
 * delete-on-close still reports the object as it was); zeros otherwise.
 */

import { closeOpen } from '../close-open';
import { allocationSize, endOfFile, fileAttributes, writeTimes } from '../file-attrs';
import { type CommandContext, openAt, responseBody, type SmbCommand, type SmbResponse } from './command';

const SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB = 0x0001;

export const close: SmbCommand = {
  name: 'CLOSE',
  structureSize: 24,
  needs: 'tree',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const open = openAt(ctx, 8);
    const flags = ctx.body.readUInt16LE(2);
    const out = responseBody(60);
    if (flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB && open.tree.disk) {
      const a = await open.tree.disk.backend.getattr(open.ino).catch(() => undefined);
      if (a) {
        out.writeUInt16LE(SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB, 2);
        writeTimes(out, 8, a);
        out.writeBigUInt64LE(allocationSize(a), 40);
        out.writeBigUInt64LE(endOfFile(a), 48);
        out.writeUInt32LE(fileAttributes(a), 56);
      }
    }
    await closeOpen(ctx.server, open, ctx.log);
    return { body: out };
  },
};
