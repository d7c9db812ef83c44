/**
 * Named pipes on IPC$ (MS-SMB2 §3.3.5.9 for a pipe CREATE, MS-FSCC §2.3.49 PIPE_TRANSCEIVE):
 * message-mode pipes whose far end is an in-process DCE/RPC endpoint. A WRITE (or the input of
 * FSCTL_PIPE_TRANSCEIVE) feeds bytes in; each complete PDU is answered at once and its answer
 * queued as one message. A READ takes the next message: if the client's buffer is smaller it
 * gets what fits with STATUS_BUFFER_OVERFLOW and reads the rest next time (message mode).
 * Bounds: 1 MiB of unanswered input or of queued output per pipe, else the pipe breaks
 * (STATUS_PIPE_BROKEN).
 */
import type { Open } from '../open-table';
import { type DcerpcEndpoint, DcerpcError } from './dcerpc';

const MAX_BUFFERED = 1024 * 1024;

export class NamedPipe {
  private input = Buffer.alloc(0);
  private readonly messages: Buffer[] = [];
  private queued = 0;
  broken = false;

  constructor(
    readonly name: string,
    private readonly endpoint: DcerpcEndpoint,
  ) {}

  /** Feeds written bytes; false when the pipe broke (malformed input or too much of it). */
  write(data: Buffer): boolean {
    if (this.broken) return false;
    this.input = this.input.length ? Buffer.concat([this.input, data]) : Buffer.from(data);
    try {
      while (this.input.length >= 10) {
        const len = this.input.readUInt16LE(8);
        if (len < 16) throw new DcerpcError('frag_length below the header size');
        if (this.input.length < len) break;
        const pdu = this.input.subarray(0, len);
        this.input = this.input.subarray(len);
        for (const m of this.endpoint.handle(pdu)) {
          this.messages.push(m);
          this.queued += m.length;
        }
      }
    } catch (err) {
      if (!(err instanceof DcerpcError)) throw err;
      this.broken = true;
      return false;
    }
    if (this.input.length > MAX_BUFFERED || this.queued > MAX_BUFFERED) this.broken = true;
    return !this.broken;
  }

  /** The next message, cut to `max` bytes (`more`: the rest stays for the next read). */
  read(max: number): { data: Buffer; more: boolean } | undefined {
    const m = this.messages[0];
    if (!m) return undefined;
    if (m.length <= max) {
      this.messages.shift();
      this.queued -= m.length;
      return { data: m, more: false };
    }
    this.messages[0] = m.subarray(max);
    this.queued -= max;
    return { data: m.subarray(0, max), more: true };
  }
}

const pipes = new WeakMap<Open, NamedPipe>();

export function attachPipe(open: Open, pipe: NamedPipe): void {
  pipes.set(open, pipe);
}

/** The pipe behind an Open on IPC$, or undefined for a file. */
export function pipeOf(open: Open): NamedPipe | undefined {
  return pipes.get(open);
}
