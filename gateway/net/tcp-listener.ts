import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'winston';

/** What a protocol connection must offer its listener. */
export interface Destroyable {
  destroy(): void;
}

/**
 * The TCP side both protocol servers share: listen (port 0 picks one), set up one connection
 * object per socket, track them, and close everything. A connection whose set-up throws is
 * dropped alone; errors after listening (EMFILE on accept...) are logged, never fatal.
 */
export class TcpListener<C extends Destroyable> {
  private server: Server | null = null;
  private readonly connections = new Set<C>();

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
    private readonly options: { allowHalfOpen?: boolean } = {},
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  /** `open` builds the connection for a socket; it gets `forget` to call (with itself) when it ends. */
  listen(
    port: number,
    host: string,
    open: (socket: Socket, forget: (conn: C) => void) => C,
  ): Promise<AddressInfo> {
    if (this.server !== null) return Promise.reject(new Error(`${this.name} is already listening`));
    const server = createServer(
      { noDelay: true, allowHalfOpen: this.options.allowHalfOpen ?? false },
      (socket) => {
        try {
          this.connections.add(open(socket, this.forget));
        } catch (err) {
          this.logger.error(`${this.name}: could not set up a connection`, { cause: String(err) });
          socket.destroy();
        }
      },
    );
    this.server = server;
    return new Promise<AddressInfo>((resolve, reject) => {
      const onListenError = (err: Error) => {
        this.server = null;
        reject(err);
      };
      server.once('error', onListenError);
      server.listen(port, host, () => {
        server.off('error', onListenError);
        server.on('error', (err) => this.logger.error(`${this.name} error`, { cause: String(err) }));
        const addr = server.address() as AddressInfo;
        this.logger.info(`${this.name} listening`, { address: addr.address, port: addr.port });
        resolve(addr);
      });
    });
  }

  private readonly forget = (conn: C): void => {
    this.connections.delete(conn);
  };

  /** The bound address, or null when not listening. */
  address(): AddressInfo | null {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr : null;
  }

  /** Stops listening and drops every connection; resolves once the listening socket is closed. */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const conn of this.connections) conn.destroy();
    if (server === null) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
