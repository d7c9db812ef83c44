/**
 * SMB2 TREE_CONNECT (MS-SMB2 §2.2.9 request, §2.2.10 response, §3.3.5.7 processing).
 *
 * Request: StructureSize 9, Flags (3.1.1), PathOffset, PathLength, the UNC path
 * "\\server\share" in UTF-16. Response: StructureSize 16, ShareType (disk 1, pipe 2),
 * ShareFlags, Capabilities, MaximalAccess. The server part of the path is not checked (clients
 * use an address, a name or an alias); the share name is, case-insensitively. A read-only
 * export's tree grants read access at most.
 */
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { SMB2_SHARE_TYPE_DISK, SMB2_SHARE_TYPE_PIPE } from '../tree';
import { bufferAt, utf16 } from '../wire';
import { type CommandContext, responseBody, type SmbCommand, type SmbResponse, sessionOf } from './command';

const SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT = 0x0004;
/** A UNC path longer than this is not a share path (MAX_PATH-ish, in characters). */
const MAX_PATH_CHARS = 1024;

export const FULL_ACCESS = 0x001f01ff;
export const READ_ONLY_ACCESS =
  Access.FILE_READ_DATA |
  Access.FILE_READ_EA |
  Access.FILE_EXECUTE |
  Access.FILE_READ_ATTRIBUTES |
  Access.READ_CONTROL |
  Access.SYNCHRONIZE;

const SMB2_SHAREFLAG_ENCRYPT_DATA = 0x00008000;

export const treeConnect: SmbCommand = {
  name: 'TREE_CONNECT',
  structureSize: 9,
  needs: 'session',
  run(ctx: CommandContext): SmbResponse {
    const session = sessionOf(ctx);
    const { body } = ctx;
    if (ctx.conn.dialect === 0x0311 && body.readUInt16LE(2) & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT)
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, 'TREE_CONNECT request extension');
    const length = body.readUInt16LE(6);
    if (length > MAX_PATH_CHARS * 2) throw new SmbError(NtStatus.STATUS_BAD_NETWORK_NAME, 'path too long');
    const path = utf16(bufferAt(ctx.message, body.readUInt16LE(4), length, 'tree connect path'), 'path');
    const parts = path.replace(/^\\\\/, '').split('\\');
    const name = parts.length === 2 ? parts[1]! : '';
    const share = name ? ctx.server.shares.get(name) : undefined;
    if (!share) throw new SmbError(NtStatus.STATUS_BAD_NETWORK_NAME, `no share '${path}'`);
    if (session.trees.size >= ctx.server.limits.maxTreesPerSession)
      throw new SmbError(NtStatus.STATUS_INSUFFICIENT_RESOURCES, 'too many tree connects on this session');
    const maximal = share.kind === 'disk' && share.readOnly ? READ_ONLY_ACCESS : FULL_ACCESS;
    const tree = session.addTree(share, maximal);
    ctx.log.debug('tree connect', { share: share.name, tree: tree.id, user: session.user });
    const out = responseBody(16);
    out[2] = share.kind === 'disk' ? SMB2_SHARE_TYPE_DISK : SMB2_SHARE_TYPE_PIPE;
    // §2.2.10 SMB2_SHAREFLAG_ENCRYPT_DATA: every share is encrypted when the session is (smbEncryption).
    out.writeUInt32LE(session.encryptData ? SMB2_SHAREFLAG_ENCRYPT_DATA : 0, 4);
    out.writeUInt32LE(0, 8);
    out.writeUInt32LE(maximal, 12);
    return { body: out, treeId: tree.id };
  },
};
