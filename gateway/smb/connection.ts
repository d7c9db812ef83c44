/**
 * One client's TCP connection: Direct TCP frames in, dispatch, response frames out, flow
 * control, and cleanup when it ends.
 *
 * Frames are handled concurrently (a client keeps many requests in flight; credits bound how
 * many) and answered in completion order, each response carrying its MessageId. Flow control
 * is one rule: while the request bytes in flight exceed `maxOutstandingBytes`, or the socket's
 * send buffer is full, stop reading, so the kernel's window pushes back on the client.
 *
 * The connection ends — logged with the reason — on a framing error, a message that is not
 * SMB2 (after the one SMB1 NEGOTIATE allowed first), or a protocol rule that demands it. When it
 * ends, every open of its sessions is closed (delete-on-close runs) and the sessions go.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'winston';
import { closeOpensWhere } from './close-open';
import type { SmbCommand } from './commands/command';
import { ConnectionState } from './connection-state';
import { Dispatcher } from './dispatcher';
import { FrameDecoder, FramingError, frameBuffers, reuseFrameBuffer } from './framing';
import { SMB1_PROTOCOL_ID, SMB2_PROTOCOL_ID } from './header';
import type { ServerContext } from './server-context';
import { answerSmb1Negotiate, Smb1Error } from './smb1-negotiate';

export class SmbConnection {
  readonly state: ConnectionState;
  private readonly decoder: FrameDecoder;
  private readonly dispatcher: Dispatcher;
  private readonly log: Logger;
  private inFlightBytes = 0;
  private writeBlocked = false;
  private readingPaused = false;
  private closed = false;
  private firstMessage = true;

  constructor(
    private readonly socket: Socket,
    server: ServerContext,
    table: readonly (SmbCommand | undefined)[],
    private readonly onClosed: (c: SmbConnection) => void,
  ) {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.log = server.log.child({ client: peer });
    this.state = new ConnectionState(server, peer, this.log);
    this.decoder = new FrameDecoder(server.limits.maxFrameSize);
    this.dispatcher = new Dispatcher(this.state, table);
    this.state.sender = (payload) => this.send(payload);
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', (err) => {
      if (this.log.isDebugEnabled()) this.log.debug('socket error', { cause: err.message });
    });
    socket.on('close', this.onClose);
  }

  /** Closes the connection; requests still running are answered nowhere. */
  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.decoder.push(chunk);
    this.pump();
  };

  private readonly onDrain = (): void => {
    this.writeBlocked = false;
    this.pump();
  };

  private pump(): void {
    for (;;) {
      if (this.closed) return;
      if (this.writeBlocked || this.inFlightBytes >= this.state.server.limits.maxOutstandingBytes) {
        this.pauseReading();
        return;
      }
      let frame: Buffer | undefined;
      try {
        frame = this.decoder.next();
      } catch (err) {
        this.drop(err instanceof FramingError ? err.message : String(err));
        return;
      }
      if (!frame) break;
      this.handle(frame);
    }
    this.resumeReading();
  }

  private handle(frame: Buffer): void {
    const first = this.firstMessage;
    this.firstMessage = false;
    if (frame.length < 4) {
      this.drop(`${frame.length}-byte message`);
      return;
    }
    const protocol = frame.readUInt32LE(0);
    if (protocol === SMB1_PROTOCOL_ID && first) {
      try {
        this.send(answerSmb1Negotiate(this.state, frame));
        this.log.debug('SMB1 multi-protocol NEGOTIATE answered', {
          dialect: this.state.dialect.toString(16),
        });
      } catch (err) {
        this.drop(err instanceof Smb1Error ? err.message : String(err));
      }
      return;
    }
    if (protocol !== SMB2_PROTOCOL_ID) {
      this.drop(`not an SMB2 message (protocol 0x${protocol.toString(16)})`);
      return;
    }
    this.inFlightBytes += frame.length;
    this.dispatcher
      .handleFrame(frame)
      .then(
        (r) => {
          if ('frame' in r) this.send(r.frame);
          else if ('disconnect' in r) this.drop(r.disconnect);
        },
        (err: unknown) => {
          this.log.error('SMB2 dispatch failed', { cause: err instanceof Error ? err.stack : String(err) });
          this.drop('internal error');
        },
      )
      .finally(() => {
        // Settled: no command holds a view of the request any more (see reuseFrameBuffer).
        reuseFrameBuffer(frame);
        this.inFlightBytes -= frame.length;
        this.pump();
      });
  }

  private send(payload: Buffer): void {
    if (this.closed) return;
    // One write per response where possible (framing.ts): a write is a syscall.
    for (const b of frameBuffers(payload))
      if (!this.socket.write(b, () => reuseFrameBuffer(b))) this.writeBlocked = true;
  }

  private drop(reason: string): void {
    if (this.closed) return;
    this.log.info('SMB connection dropped', { reason });
    this.closed = true;
    this.socket.destroy();
  }

  private pauseReading(): void {
    if (!this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  private resumeReading(): void {
    if (this.readingPaused && !this.closed) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  private readonly onClose = (): void => {
    this.closed = true;
    const sessions = new Set(this.state.sessions.values());
    this.state.sessions.clear();
    this.onClosed(this);
    if (sessions.size === 0) return;
    closeOpensWhere(this.state.server, (o) => sessions.has(o.session), this.log).catch((err: unknown) =>
      this.log.warn('closing opens of a lost connection failed', { cause: String(err) }),
    );
  };
}
