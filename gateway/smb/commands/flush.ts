/**
 * SMB2 FLUSH (MS-SMB2 §2.2.17/§2.2.18, §3.3.5.11): StructureSize 24 with a FileId in; 4 out.
 * Data reaches stable storage (the backend's fsync). The open must have been granted write or
 * append access (§3.3.5.11: else STATUS_ACCESS_DENIED); a directory flush succeeds.
 */
import { Access } from '../open-table';
import {
  type CommandContext,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
} from './command';

export const flush: SmbCommand = {
  name: 'FLUSH',
  structureSize: 24,
  needs: 'tree',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const open = openAt(ctx, 8);
    if (!open.isDir) {
      requireAccess(open, Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA, 'FLUSH');
      await open.tree.disk?.backend.fsync(open.ino);
    }
    return { body: responseBody(4) };
  },
};
