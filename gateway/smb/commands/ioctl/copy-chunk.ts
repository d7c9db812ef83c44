/**
 * FSCTL_SRV_COPYCHUNK and FSCTL_SRV_COPYCHUNK_WRITE: server-side copy (MS-SMB2 §2.2.31.1 in,
 * §2.2.32.1 out, §3.3.5.15.6 processing). The FileId names the destination; the source is the
 * Open whose resume key the request carries (any tree or session of this server).
 *
 * In: SourceKey (24), ChunkCount, Reserved, then ChunkCount × {SourceOffset u64, TargetOffset
 * u64, Length u32, Reserved u32}. Out (12 bytes): ChunksWritten, ChunkBytesWritten,
 * TotalBytesWritten. The response body rides with any status (§3.3.4.4), which is how the
 * limits and a partial copy's progress reach the client:
 * - over the limits (§3.3.3: 256 chunks, 1 MiB a chunk, 16 MiB in all) or a zero-length chunk:
 *   STATUS_INVALID_PARAMETER with the three limits in place of the counts;
 * - a chunk reading past the source's end: STATUS_INVALID_VIEW_SIZE, a chunk crossing another
 *   Open's byte-range lock: STATUS_FILE_LOCK_CONFLICT; chunks before it stay copied and counted.
 * Access: the destination needs FILE_WRITE_DATA (and FILE_READ_DATA for COPYCHUNK, not for
 * COPYCHUNK_WRITE), the source FILE_READ_DATA or FILE_EXECUTE: STATUS_ACCESS_DENIED otherwise.
 * An unknown key: STATUS_OBJECT_NAME_NOT_FOUND.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { Access, type Open } from '../../open-table';
import { requireAccess, sessionOf } from '../command';
import { Fsctl, type FsctlHandler, type FsctlRequest, type FsctlResult, openOf } from './fsctl';
import { openOfResumeKey, RESUME_KEY_SIZE } from './resume-keys';

/** MS-SMB2 §3.3.3 ServerSideCopyMaxNumberofChunks / MaxChunkSize / MaxDataSize (Windows' values). */
export const COPYCHUNK_LIMITS = { chunks: 256, chunkBytes: 1024 * 1024, totalBytes: 16 * 1024 * 1024 };
const HEADER_SIZE = RESUME_KEY_SIZE + 8;
const CHUNK_SIZE = 24;
const RESPONSE_SIZE = 12;

interface Chunk {
  readonly source: bigint;
  readonly target: bigint;
  readonly length: number;
}

function response(chunks: number, chunkBytes: number, total: number, status?: number): FsctlResult {
  const out = Buffer.alloc(RESPONSE_SIZE);
  out.writeUInt32LE(chunks, 0);
  out.writeUInt32LE(chunkBytes, 4);
  out.writeUInt32LE(total, 8);
  return status === undefined ? { output: out } : { output: out, status };
}

function parseChunks(input: Buffer): Chunk[] | undefined {
  const count = input.readUInt32LE(RESUME_KEY_SIZE);
  if (count > COPYCHUNK_LIMITS.chunks || input.length < HEADER_SIZE + count * CHUNK_SIZE) return undefined;
  const chunks: Chunk[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER_SIZE + i * CHUNK_SIZE;
    chunks.push({
      source: input.readBigUInt64LE(at),
      target: input.readBigUInt64LE(at + 8),
      length: input.readUInt32LE(at + 16),
    });
  }
  return chunks;
}

function withinLimits(chunks: readonly Chunk[]): boolean {
  let total = 0;
  for (const c of chunks) {
    if (c.length === 0 || c.length > COPYCHUNK_LIMITS.chunkBytes) return false;
    total += c.length;
  }
  return total <= COPYCHUNK_LIMITS.totalBytes;
}

async function readChunk(src: Open, c: Chunk): Promise<Buffer> {
  const backend = src.tree.disk!.backend;
  const parts: Buffer[] = [];
  let got = 0;
  while (got < c.length) {
    const r = await backend.read(src.ino, Number(c.source) + got, c.length - got, src.session.cred);
    if (r.data.length === 0) break;
    parts.push(r.data);
    got += r.data.length;
    if (r.eof) break;
  }
  return Buffer.concat(parts, got);
}

async function copyChunks(
  req: FsctlRequest,
  dest: Open,
  src: Open,
  chunks: readonly Chunk[],
): Promise<FsctlResult> {
  const { server } = req.ctx;
  const cred = sessionOf(req.ctx).cred;
  const backend = dest.tree.disk!.backend;
  let done = 0;
  let total = 0;
  for (const c of chunks) {
    const len = BigInt(c.length);
    const size = BigInt((await src.tree.disk!.backend.getattr(src.ino)).size);
    if (c.source + len > size) return response(done, 0, total, NtStatus.STATUS_INVALID_VIEW_SIZE);
    if (server.locks.blocksIo(src, c.source, len, false) || server.locks.blocksIo(dest, c.target, len, true))
      return response(done, 0, total, NtStatus.STATUS_FILE_LOCK_CONFLICT);
    if (c.target + len > BigInt(Number.MAX_SAFE_INTEGER))
      return response(done, 0, total, NtStatus.STATUS_INVALID_PARAMETER);
    const data = await readChunk(src, c);
    if (data.length < c.length) return response(done, 0, total, NtStatus.STATUS_INVALID_VIEW_SIZE);
    await backend.write(dest.ino, Number(c.target), data, 'unstable', cred);
    done++;
    total += c.length;
  }
  return response(done, 0, total);
}

export const copyChunk: FsctlHandler = {
  async run(req) {
    const dest = openOf(req);
    if (req.maxOutput < RESPONSE_SIZE)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'MaxOutputResponse below SRV_COPYCHUNK_RESPONSE');
    if (req.input.length < HEADER_SIZE)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'SRV_COPYCHUNK_COPY too short');
    if (dest.isDir) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'copy into a directory');
    requireAccess(dest, Access.FILE_WRITE_DATA, 'copy-chunk destination');
    if (req.code === Fsctl.SRV_COPYCHUNK)
      requireAccess(dest, Access.FILE_READ_DATA, 'copy-chunk destination');
    const chunks = parseChunks(req.input);
    if (!chunks || !withinLimits(chunks))
      return response(
        COPYCHUNK_LIMITS.chunks,
        COPYCHUNK_LIMITS.chunkBytes,
        COPYCHUNK_LIMITS.totalBytes,
        NtStatus.STATUS_INVALID_PARAMETER,
      );
    const src = openOfResumeKey(req.ctx.server, req.input.subarray(0, RESUME_KEY_SIZE));
    if (!src?.tree.disk)
      throw new SmbError(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND, 'no open with this resume key');
    requireAccess(src, Access.FILE_READ_DATA | Access.FILE_EXECUTE, 'copy-chunk source');
    if (src.isDir) throw new SmbError(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 'copy from a directory');
    return copyChunks(req, dest, src, chunks);
  },
};
