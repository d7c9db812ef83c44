/**
 * SMB2 QUERY_DIRECTORY (MS-SMB2 §2.2.33 request, §2.2.34 response, §3.3.5.18 processing).
 *
 * Request: StructureSize 33, FileInformationClass, Flags (RESTART_SCANS 0x01,
 * RETURN_SINGLE_ENTRY 0x02, INDEX_SPECIFIED 0x04, REOPEN 0x10), FileIndex, FileId, the search
 * pattern (UTF-16), OutputBufferLength. Response: StructureSize 9, OutputBufferOffset (72),
 * OutputBufferLength, entries chained by 8-byte aligned NextEntryOffset.
 *
 * The open's cursor (dir-cursor.ts) remembers the pattern and position; it starts on the first
 * query and again on RESTART_SCANS or REOPEN (the pattern of later queries is otherwise
 * ignored, as Windows does; so is the FileIndex of INDEX_SPECIFIED). An entry that does not fit stays for the next query.
 * Nothing more: STATUS_NO_MORE_FILES, or STATUS_NO_SUCH_FILE when the pattern matched nothing
 * at all. Not even one entry fits the buffer: STATUS_INFO_LENGTH_MISMATCH.
 */

import { DirCursor } from '../dir-cursor';
import { encodeDirEntry, isDirInfoClass } from '../dir-info';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import { MAX_PATTERN_CHARS } from '../wildcard';
import { align8, bufferAt, utf16 } from '../wire';
import {
  type CommandContext,
  openAt,
  requireAccess,
  responseBody,
  type SmbCommand,
  type SmbResponse,
  sessionOf,
} from './command';

const RESTART_SCANS = 0x01;
const RETURN_SINGLE_ENTRY = 0x02;
const REOPEN = 0x10;
const OUTPUT_OFFSET = 72;

export const queryDirectory: SmbCommand = {
  name: 'QUERY_DIRECTORY',
  structureSize: 33,
  needs: 'tree',
  payloadSize: (b) => b.readUInt32LE(28),
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const { body } = ctx;
    const cls = body[2]!;
    const flags = body[3]!;
    const outLen = body.readUInt32LE(28);
    const open = openAt(ctx, 8);
    const disk = open.tree.disk;
    if (!open.isDir || !disk) throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'not a directory');
    requireAccess(open, Access.FILE_READ_DATA, 'QUERY_DIRECTORY');
    if (!isDirInfoClass(cls)) throw new SmbError(NtStatus.STATUS_INVALID_INFO_CLASS, `class ${cls}`);
    if (outLen > ctx.conn.maxIoSize)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, `OutputBufferLength ${outLen}`);
    const nameLen = body.readUInt16LE(26);
    if (nameLen > MAX_PATTERN_CHARS * 2)
      throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, 'pattern too long');
    const pattern = utf16(bufferAt(ctx.message, body.readUInt16LE(24), nameLen, 'pattern'), 'pattern') || '*';
    if (/[\\/:]/.test(pattern) || pattern.includes('\0'))
      throw new SmbError(NtStatus.STATUS_OBJECT_NAME_INVALID, 'pattern');
    // INDEX_SPECIFIED does not restart: the FileIndex is ignored and the scan goes on from the
    // open's position, as Windows does (MS-SMB2 §3.3.5.18 note) — restarting made smbtorture's
    // dir.many loop forever on its first page.
    if (!open.cursor || flags & (RESTART_SCANS | REOPEN))
      open.cursor = new DirCursor(disk.backend, open.ino, sessionOf(ctx).cred, pattern);
    else open.cursor.resume();
    const cursor = open.cursor;

    const entries: Buffer[] = [];
    let used = 0;
    for (;;) {
      const e = await cursor.peek();
      if (!e) break;
      const enc = encodeDirEntry(cls, e.name, e.attrs!);
      const start = align8(used);
      if (start + enc.length > outLen) break;
      entries.push(enc);
      used = start + enc.length;
      cursor.take();
      if (flags & RETURN_SINGLE_ENTRY) break;
    }
    if (entries.length === 0) {
      if (await cursor.peek())
        throw new SmbError(NtStatus.STATUS_INFO_LENGTH_MISMATCH, `${outLen} bytes hold no entry`);
      throw new SmbError(
        cursor.returnedAny ? NtStatus.STATUS_NO_MORE_FILES : NtStatus.STATUS_NO_SUCH_FILE,
        `'${cursor.pattern}' in '${open.path}'`,
      );
    }
    const out = responseBody(9, 8 + used);
    out.writeUInt16LE(OUTPUT_OFFSET, 2);
    out.writeUInt32LE(used, 4);
    let at = 0;
    entries.forEach((enc, i) => {
      const start = align8(at);
      enc.copy(out, 8 + start);
      if (i + 1 < entries.length) out.writeUInt32LE(align8(enc.length), 8 + start);
      at = start + enc.length;
    });
    return { body: out };
  },
};
