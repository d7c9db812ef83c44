/**
 * The NTFS quota file `$Extend\$Quota:$Q:$INDEX_ALLOCATION`: Windows clients open it to ask
 * for quota information, and it opens on every NTFS volume (smbtorture create.quota-fake-file,
 * which Samba passes with the same fake). We keep no quotas, so the open is a placeholder: a
 * directory-like handle with HIDDEN | SYSTEM | DIRECTORY | ARCHIVE, all times zero, no inode
 * behind it (QUERY_INFO on it fails; QUOTA queries are refused anyway).
 */
import { type CommandContext, responseBody, type SmbResponse, sessionOf, treeOf } from './commands/command';
import { syntheticIno } from './ipc/open-pipe';
import { NtStatus, SmbError } from './ntstatus';
import type { Open } from './open-table';
import { writeFileId } from './wire';

const QUOTA_FILE = '$extend\\$quota:$q:$index_allocation';
const ATTRIBUTES = 0x2 | 0x4 | 0x10 | 0x20;
const FILE_OPENED = 1;

export function isQuotaFakeFile(name: string): boolean {
  return name.toLowerCase() === QUOTA_FILE;
}

export function openQuotaFakeFile(ctx: CommandContext, access: number, shareAccess: number): SmbResponse {
  const fileId = ctx.server.opens.allocate();
  if (!fileId) throw new SmbError(NtStatus.STATUS_INSUFFICIENT_RESOURCES, 'open table full');
  const open: Open = {
    fileId,
    session: sessionOf(ctx),
    tree: treeOf(ctx),
    ino: syntheticIno(),
    isDir: true,
    parent: undefined,
    name: '$Quota',
    path: '$Extend\\$Quota',
    access,
    shareAccess,
    deleteOnClose: false,
    position: 0n,
  };
  ctx.server.opens.add(open);
  ctx.chain.fileId = fileId;
  const out = responseBody(89, 88);
  out.writeUInt32LE(FILE_OPENED, 4);
  out.writeUInt32LE(ATTRIBUTES, 56);
  writeFileId(out, 64, fileId);
  return { body: out };
}
