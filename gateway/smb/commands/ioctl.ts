/**
 * SMB2 IOCTL (MS-SMB2 §2.2.31 request, §2.2.32 response, §3.3.5.15 processing).
 *
 * Request: StructureSize 57, CtlCode, FileId, InputOffset/Count, MaxInputResponse,
 * OutputOffset/Count, MaxOutputResponse, Flags (SMB2_0_IOCTL_IS_FSCTL). Response: StructureSize
 * 49, CtlCode, FileId, InputOffset/Count (0: nothing echoed), OutputOffset/Count (output at 112
 * from the header), Flags.
 *
 * Only FSCTLs are served (§3.3.5.15: a plain IOCTL is STATUS_NOT_SUPPORTED); each lives in
 * ioctl/<name>.ts and is found through ioctl/index.ts. Output longer than MaxOutputResponse is
 * a server bug caught here. A handler's non-success status that carries output (copy-chunk
 * limits and progress, an allocated-ranges overflow) is sent as a full IOCTL response
 * (§3.3.4.4); every other failure as an ERROR response.
 */
import { NtStatus, SmbError } from '../ntstatus';
import type { Open } from '../open-table';
import { bufferAt } from '../wire';
import { type CommandContext, openAt, responseBody, type SmbCommand, type SmbResponse } from './command';
import { FSCTL_HANDLERS } from './ioctl/index';

const SMB2_0_IOCTL_IS_FSCTL = 0x00000001;
const OUTPUT_OFFSET = 112;

export const ioctl: SmbCommand = {
  name: 'IOCTL',
  structureSize: 57,
  needs: 'tree',
  payloadSize: (b) =>
    Math.max(b.readUInt32LE(28) + b.readUInt32LE(40), b.readUInt32LE(32) + b.readUInt32LE(44)),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body } = ctx;
    const code = body.readUInt32LE(4);
    const input = bufferAt(ctx.message, body.readUInt32LE(24), body.readUInt32LE(28), 'ioctl input');
    const maxOutput = body.readUInt32LE(44);
    if (maxOutput > ctx.conn.maxIoSize || body.readUInt32LE(32) > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'ioctl response limits exceed MaxTransactSize');
    if (!(body.readUInt32LE(48) & SMB2_0_IOCTL_IS_FSCTL))
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `IOCTL 0x${code.toString(16)} (not an FSCTL)`);
    const handler = FSCTL_HANDLERS.get(code);
    const isPipe = ctx.tree?.share.kind === 'ipc';
    const name = `FSCTL 0x${code.toString(16).padStart(8, '0')}`;
    if (!handler)
      throw new SmbError(
        isPipe ? NtStatus.STATUS_INVALID_DEVICE_REQUEST : NtStatus.STATUS_NOT_SUPPORTED,
        name,
      );
    const open: Open | undefined = handler.noOpen ? undefined : openAt(ctx, 8);
    if (open && !handler.pipe && !open.tree.disk)
      throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, `${name} on a pipe`);
    const result = await handler.run({ ctx, code, open, input, maxOutput });
    const output = result.output ?? Buffer.alloc(0);
    if (output.length > maxOutput)
      throw new SmbError(NtStatus.STATUS_BUFFER_TOO_SMALL, `${name}: ${output.length} bytes of output`);
    const out = responseBody(49, 48 + output.length);
    out.writeUInt32LE(code, 4);
    body.copy(out, 8, 8, 24);
    out.writeUInt32LE(OUTPUT_OFFSET, 24);
    out.writeUInt32LE(OUTPUT_OFFSET, 32);
    out.writeUInt32LE(output.length, 36);
    output.copy(out, 48);
    return {
      body: out,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.signWith ? { signWith: result.signWith } : {}),
    };
  },
};
