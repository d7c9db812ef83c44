import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'winston';
import { InvalidOptionError, type UpcallOptions, type UpcallOptionsInput } from '../upcall-core';

export interface AdminHooks {
  options(): UpcallOptions;
  reconfigure(input: UpcallOptionsInput): UpcallOptions;
  stats(): unknown;
  /** Prometheus exposition text for GET /metrics. */
  metrics?(): Promise<string>;
}

const MAX_BODY = 64 * 1024;

/**
 * The admin endpoint, on loopback only: `GET /options`, `PUT /options` (JSON body of GlusterFS
 * option names → values; applied at once, no restart), `GET /stats`, `GET /metrics`
 * (Prometheus text format). `upcall-gateway set/get` talk to it.
 */
export class AdminServer {
  private server: Server | undefined;

  constructor(
    private readonly hooks: AdminHooks,
    private readonly logger: Logger,
  ) {}

  async listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => this.reply(res, 500, { error: String(err) }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return Promise.resolve();
    s.closeAllConnections();
    return new Promise((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/options' && req.method === 'GET') return this.reply(res, 200, this.hooks.options());
    if (path === '/stats' && req.method === 'GET') return this.reply(res, 200, this.hooks.stats());
    if (path === '/metrics' && req.method === 'GET' && this.hooks.metrics) {
      const text = await this.hooks.metrics();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (path === '/options' && (req.method === 'PUT' || req.method === 'POST')) {
      let input: UpcallOptionsInput;
      try {
        input = JSON.parse(await readBody(req));
      } catch (err) {
        return this.reply(res, 400, { error: `body: ${(err as Error).message}` });
      }
      try {
        const next = this.hooks.reconfigure(input);
        this.logger.info('upcall options changed', { options: next });
        return this.reply(res, 200, next);
      } catch (err) {
        if (err instanceof InvalidOptionError) return this.reply(res, 400, { error: err.message });
        throw err;
      }
    }
    return this.reply(res, 404, {
      error: `no ${req.method} ${path}; try GET /options, PUT /options, GET /stats, GET /metrics`,
    });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
