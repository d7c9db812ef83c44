/**
 * The work behind SET_INFO's file classes (MS-FSCC §2.4; semantics per MS-FSA §2.1.5.14):
 * times and the READONLY attribute, rename (a path from the share root, MS-FSCC §2.4.37.2),
 * the delete-pending mark, end of file and allocation. Everything reaches the backend with the
 * session's Cred, so POSIX permissions still have the last word.
 */
import type { Logger } from 'winston';
import { FileType, type SetAttrs, type Time } from '../../backend/attrs';
import type { Cred } from '../../backend/backend';
import { FileAttr } from '../file-attrs';
import { NotifyAction, NotifyFilter } from '../notify-records';
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { joinSmbPath, parseSmbPath, resolvePath } from '../paths';
import type { ServerContext } from '../server-context';
import { timeOfFileTime, utf16 } from '../wire';
import { refuseRenameWhileOpen } from './set-info-rename-checks';

const FILE_ATTRIBUTE_TEMPORARY = 0x100;

export interface SetInfoOp {
  readonly server: ServerContext;
  readonly open: Open;
  readonly cred: Cred;
  readonly log: Logger;
}

/** FILETIME values meaning "leave as it is": 0, and -1/-2 (stop/resume automatic updates). */
function timeOrKeep(v: bigint): Time | undefined {
  return v === 0n || v >= 0x8000000000000000n ? undefined : timeOfFileTime(v);
}

function backendOf(op: SetInfoOp) {
  return op.open.tree.disk!.backend;
}

/** FileBasicInformation: LastAccessTime, LastWriteTime, and READONLY ↔ the write bits. */
export async function setBasic(op: SetInfoOp, buf: Buffer): Promise<void> {
  const set: { -readonly [K in keyof SetAttrs]: SetAttrs[K] } = {};
  const atime = timeOrKeep(buf.readBigUInt64LE(8));
  const mtime = timeOrKeep(buf.readBigUInt64LE(16));
  if (atime) set.atime = atime;
  if (mtime) set.mtime = mtime;
  const attrs = buf.readUInt32LE(32);
  if (attrs !== 0) {
    if (attrs & FileAttr.DIRECTORY && !op.open.isDir)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'DIRECTORY attribute on a file');
    // MS-FSA §2.1.5.14.2: a directory cannot be TEMPORARY.
    if (attrs & FILE_ATTRIBUTE_TEMPORARY && op.open.isDir)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'TEMPORARY attribute on a directory');
    const cur = await backendOf(op).getattr(op.open.ino);
    const readOnly = (cur.mode & 0o222) === 0;
    if (!op.open.isDir && ((attrs & FileAttr.READONLY) !== 0) !== readOnly)
      set.mode = readOnly ? cur.mode | 0o200 : cur.mode & ~0o222;
  }
  if (Object.keys(set).length) await backendOf(op).setattr(op.open.ino, set, op.cred);
  // DOS attributes we do not store (HIDDEN, SYSTEM, ARCHIVE…) reach no backend change event, yet
  // watchers must hear FILE_NOTIFY_CHANGE_ATTRIBUTES (smbtorture notify.basedir, mask-change).
  if (attrs !== 0 && set.mode === undefined && op.open.parent !== undefined)
    op.server.notify.report(op.open.parent, [
      { action: NotifyAction.MODIFIED, name: op.open.name, filter: NotifyFilter.ATTRIBUTES },
    ]);
}

/** FileRenameInformation (SMB2 form): ReplaceIfExists, RootDirectory (must be 0), FileNameLength, FileName. */
export async function setRename(op: SetInfoOp, buf: Buffer): Promise<void> {
  const { open, server } = op;
  if (open.parent === undefined) throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, 'renaming the share root');
  const replace = buf[0] !== 0;
  if (buf.readBigUInt64LE(8) !== 0n) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'RootDirectory');
  const len = buf.readUInt32LE(16);
  if (20 + len > buf.length) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FileNameLength');
  const name = utf16(buf.subarray(20, 20 + len), 'rename target').replace(/^\\/, '');
  const parts = parseSmbPath(name);
  if (parts.length === 0) throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, 'rename to the share root');
  refuseRenameWhileOpen(server, open, open.parent);
  const backend = backendOf(op);
  const to = await resolvePath(backend, backend.rootIno, parts, op.cred);
  if (to.target && to.target.fileid !== open.ino) {
    if (!replace) throw new SmbError(NtStatus.STATUS_OBJECT_NAME_COLLISION, name);
    if (to.target.type === FileType.DIR)
      throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, `cannot replace directory ${name}`);
    if (server.opens.opensOf(to.target.fileid).size > 0)
      throw new SmbError(NtStatus.STATUS_ACCESS_DENIED, `${name} is open`);
  }
  const toDir = to.parent!.fileid;
  // Renaming onto itself under another case (foo -> FOO) changes the case: use the name asked for.
  const toName = to.target?.fileid === open.ino ? parts.at(-1)! : to.name;
  await backend.rename(open.parent, open.name, toDir, toName, op.cred);
  for (const o of server.opens.opensOf(open.ino)) {
    o.parent = toDir;
    o.name = toName;
    o.path = joinSmbPath(parts);
  }
}

/** FileDispositionInformation: mark (or unmark) the object for deletion at its last close. */
export async function setDisposition(op: SetInfoOp, pending: boolean): Promise<void> {
  const { open, server } = op;
  if (pending) {
    if (open.parent === undefined) throw new SmbError(NtStatus.STATUS_CANNOT_DELETE, 'the share root');
    const backend = backendOf(op);
    const a = await backend.getattr(open.ino);
    if (a.type !== FileType.DIR && (a.mode & 0o222) === 0)
      throw new SmbError(NtStatus.STATUS_CANNOT_DELETE, `${open.path} is read-only`);
    if (a.type === FileType.DIR) {
      const page = await backend.readdir(open.ino, 0n, 3, false, op.cred);
      if (page.entries.some((e) => e.name !== '.' && e.name !== '..'))
        throw new SmbError(NtStatus.STATUS_DIRECTORY_NOT_EMPTY, open.path);
    }
  }
  server.opens.setDeletePending(open.ino, pending);
}

/** FileEndOfFileInformation (size) or FileAllocationInformation (only ever shrinks to it). */
export async function setSize(op: SetInfoOp, value: bigint, allocation: boolean): Promise<void> {
  if (op.open.isDir) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'size of a directory');
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new SmbError(NtStatus.STATUS_DISK_FULL, `size ${value}`);
  const backend = backendOf(op);
  const size = Number(value);
  if (allocation && size >= (await backend.getattr(op.open.ino)).size) return;
  await backend.setattr(op.open.ino, { size }, op.cred);
}
