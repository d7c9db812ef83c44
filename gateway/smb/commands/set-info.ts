/**
 * SMB2 SET_INFO (MS-SMB2 §2.2.39 request, §2.2.40 response, §3.3.5.21 processing).
 *
 * Request: StructureSize 33, InfoType, FileInfoClass, BufferLength, BufferOffset,
 * AdditionalInformation, FileId, the buffer. Response: StructureSize 2.
 *
 * File classes served (MS-FSCC §2.4): 4 FileBasicInformation (times, READONLY), 10
 * FileRenameInformation, 13 FileDispositionInformation and 64 FileDispositionInformationEx,
 * 14 FilePositionInformation (kept per open), 16 FileModeInformation (accepted), 19
 * FileAllocationInformation, 20 FileEndOfFileInformation (set-info-ops.ts has the work). Hard
 * links, EAs, quotas and file-system settings are not supported. InfoType SECURITY: owner, group
 * and DACL mapped onto POSIX owner, group and mode (set-info-security.ts).
 */
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { bufferAt } from '../wire';
import {
  type CommandContext,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';
import { InfoType } from './query-info';
import { setBasic, setDisposition, setRename, setSize } from './set-info-ops';
import { setSecurity } from './set-info-security';

/** Minimum buffer size per class. */
const MIN_SIZE: Readonly<Record<number, number>> = {
  4: 36,
  10: 20,
  13: 1,
  14: 8,
  16: 4,
  19: 8,
  20: 8,
  64: 4,
};
/** Largest SET_INFO buffer accepted (a rename's path is the biggest thing we take). */
const MAX_BUFFER = 65536 + 64;

export const setInfo: SmbCommand = {
  name: 'SET_INFO',
  structureSize: 33,
  needs: 'tree',
  payloadSize: (b) => b.readUInt32LE(4),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body } = ctx;
    const type = body[2]!;
    const cls = body[3]!;
    const length = body.readUInt32LE(4);
    if (length > MAX_BUFFER) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `${length}-byte SET_INFO`);
    const buf = bufferAt(ctx.message, body.readUInt16LE(8), length, 'set info buffer');
    const open = openAt(ctx, 16);
    if (!open.tree.disk) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'not a disk share');
    const op = { server: ctx.server, open, cred: sessionOf(ctx).cred, log: ctx.log };
    if (type === InfoType.SECURITY) {
      await setSecurity(op, buf, body.readUInt32LE(12));
      return { body: responseBody(2) };
    }
    if (type !== InfoType.FILE)
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `SET_INFO of InfoType ${type} (quota, fs)`);
    const min = MIN_SIZE[cls];
    if (min === undefined) {
      if (cls === 15) throw new SmbError(NtStatus.STATUS_EAS_NOT_SUPPORTED, 'extended attributes');
      if (cls === 11) throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, 'hard links');
      throw new SmbError(NtStatus.STATUS_INVALID_INFO_CLASS, `file information class ${cls}`);
    }
    if (buf.length < min)
      throw new SmbError(NtStatus.STATUS_INFO_LENGTH_MISMATCH, `${buf.length} bytes for class ${cls}`);
    switch (cls) {
      case 4:
        requireAccess(open, Access.FILE_WRITE_ATTRIBUTES, 'FileBasicInformation');
        await setBasic(op, buf);
        break;
      case 10:
        requireAccess(open, Access.DELETE, 'FileRenameInformation');
        await setRename(op, buf);
        break;
      case 13:
      case 64:
        requireAccess(open, Access.DELETE, 'FileDispositionInformation');
        await setDisposition(op, cls === 13 ? buf[0] !== 0 : (buf.readUInt32LE(0) & 1) !== 0);
        break;
      case 19:
      case 20:
        requireAccess(open, Access.FILE_WRITE_DATA, 'end of file / allocation');
        ctx.server.caching.breakForWrite(open); // others' LEVEL_II / R caching goes (leases/)
        await setSize(op, buf.readBigUInt64LE(0), cls === 19);
        break;
      case 14:
        open.position = buf.readBigUInt64LE(0);
        break;
      default:
        break; // 16: the mode is a per-handle hint we need not keep
    }
    return { body: responseBody(2) };
  },
};
