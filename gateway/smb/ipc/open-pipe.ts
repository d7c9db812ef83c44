/**
 * CREATE on IPC$ (MS-SMB2 §3.3.5.9: "if the share is a named pipe share..."): open one of the
 * pipes served here — `srvsvc` (share enumeration) — by name, ignoring case and an optional
 * `\PIPE\` prefix. Any other name: STATUS_OBJECT_NAME_NOT_FOUND. The response has no times or
 * sizes, FILE_ATTRIBUTE_NORMAL and CreateAction FILE_OPENED.
 */

import { type CommandContext, responseBody, type SmbResponse, sessionOf, treeOf } from '../commands/command';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { writeFileId } from '../wire';
import { DcerpcEndpoint } from './dcerpc';
import { attachPipe, NamedPipe } from './pipe';
import { STYPE_DISKTREE, STYPE_IPC_SPECIAL, srvsvcInterface } from './srvsvc';

const FILE_ATTRIBUTE_NORMAL = 0x80;
const FILE_OPENED = 1;
/** Opens of things that are not files get inode numbers no file has, so share modes never mix them. */
let nextSyntheticIno = -1n;

export function syntheticIno(): bigint {
  return nextSyntheticIno--;
}

export function openPipe(
  ctx: CommandContext,
  name: string,
  access: number,
  shareAccess: number,
): SmbResponse {
  const session = sessionOf(ctx);
  const tree = treeOf(ctx);
  const bare = name.replace(/^\\?pipe\\/i, '').toLowerCase();
  if (bare !== 'srvsvc') throw new SmbError(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, `no pipe '${name}'`);
  const shares = () => [
    ...ctx.server.shares.disks().map((d) => ({ name: d.name, type: STYPE_DISKTREE, remark: '' })),
    { name: 'IPC$', type: STYPE_IPC_SPECIAL, remark: 'IPC Service' },
  ];
  const fileId = ctx.server.opens.allocate();
  if (!fileId) throw new SmbError(NtStatus.STATUS_INSUFFICIENT_RESOURCES, 'open table full');
  const open: Open = {
    fileId,
    session,
    tree,
    ino: syntheticIno(),
    isDir: false,
    parent: undefined,
    name: bare,
    path: bare,
    access,
    shareAccess,
    deleteOnClose: false,
    position: 0n,
  };
  ctx.server.opens.add(open);
  attachPipe(
    open,
    new NamedPipe(bare, new DcerpcEndpoint([srvsvcInterface(shares, ctx.server.ntlm.opts.nbComputerName)])),
  );
  ctx.chain.fileId = fileId;
  const out = responseBody(89, 88);
  out.writeUInt32LE(FILE_OPENED, 4);
  out.writeUInt32LE(FILE_ATTRIBUTE_NORMAL, 56);
  writeFileId(out, 64, fileId);
  return { body: out };
}
