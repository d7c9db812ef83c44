/**
 * SMB2 QUERY_INFO (MS-SMB2 §2.2.37 request, §2.2.38 response, §3.3.5.20 processing).
 *
 * Request: StructureSize 41, InfoType (1 FILE, 2 FILESYSTEM, 3 SECURITY, 4 QUOTA),
 * FileInfoClass, OutputBufferLength, InputBuffer (offset/length), AdditionalInformation, Flags,
 * FileId. Response: StructureSize 9, OutputBufferOffset (72), OutputBufferLength, the data.
 *
 * Buffer rules (§3.3.5.20.1/.2, MS-FSCC §2.4): smaller than the class's fixed part →
 * STATUS_INFO_LENGTH_MISMATCH; cutting its variable part → STATUS_BUFFER_OVERFLOW with what
 * fits (a warning: the body is sent). A security descriptor that does not fit →
 * STATUS_BUFFER_TOO_SMALL with the needed size as ErrorData (§3.3.5.20.3). Quotas: not supported.
 */
import { encodeFileInfo, NEEDS_READ_ATTRIBUTES } from '../info/file-info';
import { encodeFsInfo } from '../info/fs-info';
import { securityDescriptor } from '../info/security-descriptor';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import {
  type CommandContext,
  diskOf,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
} from './command';

export const InfoType = { FILE: 1, FILESYSTEM: 2, SECURITY: 3, QUOTA: 4 } as const;
const OUTPUT_OFFSET = 72;

export const queryInfo: SmbCommand = {
  name: 'QUERY_INFO',
  structureSize: 41,
  needs: 'tree',
  payloadSize: (b) => Math.max(b.readUInt32LE(4), b.readUInt32LE(12)),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body, server } = ctx;
    const type = body[2]!;
    const cls = body[3]!;
    const outLen = body.readUInt32LE(4);
    if (outLen > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'OutputBufferLength');
    const open = openAt(ctx, 24);
    const disk = diskOf(ctx);
    const attrs = await disk.backend.getattr(open.ino);
    let enc: { data: Buffer; fixed: number };
    switch (type) {
      case InfoType.FILE:
        if (NEEDS_READ_ATTRIBUTES.has(cls)) requireAccess(open, Access.FILE_READ_ATTRIBUTES, 'QUERY_INFO');
        enc = encodeFileInfo(cls, attrs, open, server.opens.isDeletePending(open.ino), ctx.conn.dialect);
        break;
      case InfoType.FILESYSTEM:
        enc = await encodeFsInfo(cls, {
          label: disk.name,
          serial: Number(BigInt.asUintN(32, attrs.fsid)),
          created: { sec: 0, nsec: 0 },
          fs: () => disk.backend.statfs(disk.backend.rootIno),
        });
        break;
      case InfoType.SECURITY: {
        requireAccess(open, Access.READ_CONTROL, 'QUERY_INFO security');
        const sd = securityDescriptor(attrs, body.readUInt32LE(16));
        if (sd.length > outLen) {
          const need = Buffer.alloc(4);
          need.writeUInt32LE(sd.length, 0);
          throw new SmbError(NtStatus.STATUS_BUFFER_TOO_SMALL, `descriptor needs ${sd.length} bytes`, need);
        }
        enc = { data: sd, fixed: sd.length };
        break;
      }
      case InfoType.QUOTA:
        throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, 'quotas');
      default:
        throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `InfoType ${type}`);
    }
    if (outLen < enc.fixed)
      throw new SmbError(NtStatus.STATUS_INFO_LENGTH_MISMATCH, `${outLen} bytes for class ${cls}`);
    const overflow = enc.data.length > outLen;
    const data = overflow ? enc.data.subarray(0, outLen) : enc.data;
    const out = responseBody(9, 8 + data.length);
    out.writeUInt16LE(OUTPUT_OFFSET, 2);
    out.writeUInt32LE(data.length, 4);
    data.copy(out, 8);
    return { body: out, ...(overflow ? { status: NtStatus.STATUS_BUFFER_OVERFLOW } : {}) };
  },
};
