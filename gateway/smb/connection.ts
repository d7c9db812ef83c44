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
 *
 * An SMB3 TRANSFORM frame (transform.ts) is decrypted with the keys of the session it names and
 * dispatched as an encrypted request; its response frame (a whole compound in one) goes back
 * encrypted under the same session. An unknown session or a tag that does not verify ends this
 * connection (§3.3.5.2.1.1) and no other.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'winston';
import { closeOpensWhere } from './close-open';
import type { SmbCommand } from './commands/command';
import { ConnectionState } from './connection-state';
import { Dispatcher } from './dispatcher';
import { FrameDecoder, FramingError, frameBuffers, reuseFrameBuffer } from './framing';
import { SMB1_PROTOCOL_ID, SMB2_PROTOCOL_ID, SMB2_TRANSFORM_PROTOCOL_ID } from './header';
import type { ServerContext } from './server-context';
import type { SmbSession } from './session';
import { answerSmb1Negotiate, Smb1Error } from './smb1-negotiate';
import { decryptTransform, encryptTransform, TransformError, transformSessionId } from './transform';

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
    // The frame as read (maybe a pooled buffer), kept apart from its decrypted message.
    const received = frame;
    const first = this.firstMessage;
    this.firstMessage = false;
    if (frame.length < 4) {
      this.drop(`${frame.length}-byte message`);
      return;
    }
    let protocol = frame.readUInt32LE(0);
    let sealer: SmbSession | undefined;
    if (protocol === SMB2_TRANSFORM_PROTOCOL_ID) {
      const opened = this.decrypt(frame);
      if (!opened) return;
      sealer = opened.session;
      frame = opened.message;
      protocol = frame.length >= 4 ? frame.readUInt32LE(0) : 0;
    }
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
    const size = frame.length;
    this.inFlightBytes += size;
    this.dispatcher
      .handleFrame(frame, sealer !== undefined)
      .then(
        (r) => {
          if ('frame' in r)
            this.send(sealer?.cipher ? encryptTransform(r.frame, sealer.id, sealer.cipher) : r.frame);
          else if ('disconnect' in r) this.drop(r.disconnect);
        },
        (err: unknown) => {
          this.log.error('SMB2 dispatch failed', { cause: err instanceof Error ? err.stack : String(err) });
          this.drop('internal error');
        },
      )
      .finally(() => {
        // Settled: no command holds a view of the request any more (see reuseFrameBuffer).
        reuseFrameBuffer(received);
        this.inFlightBytes -= size;
        this.pump();
      });
  }

  /** The plaintext of a TRANSFORM frame and its session, or undefined once the connection is dropped. */
  private decrypt(frame: Buffer): { message: Buffer; session: SmbSession } | undefined {
    if (!this.state.cipher || frame.length < 52) {
      this.drop(
        this.state.cipher ? 'short TRANSFORM frame' : 'TRANSFORM frame without encryption negotiated',
      );
      return undefined;
    }
    const id = transformSessionId(frame);
    const session = this.state.sessions.get(id);
    if (!session?.cipher) {
      this.drop(`TRANSFORM frame for session ${id.toString(16)}, which has no keys here`);
      return undefined;
    }
    try {
      const message = decryptTransform(frame, session.cipher);
      session.clientEncrypts = true;
      return { message, session };
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      this.log.warn('SMB3 decryption failed', { session: id.toString(16), cause: err.message });
      this.drop(err.message);
      return undefined;
    }
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
    const global = this.state.server.sessions;
    for (const s of sessions) if (global.get(s.id) === s) global.delete(s.id);
    this.onClosed(this);
    if (sessions.size === 0) return;
    closeOpensWhere(this.state.server, (o) => sessions.has(o.session), this.log).catch((err: unknown) =>
      this.log.warn('closing opens of a lost connection failed', { cause: String(err) }),
    );
  };
}
