/**
 * The SMB2/3 server over Direct TCP (MS-SMB2 §2.1): owns the listening socket, the shared
 * server state (ServerContext) and the set of connections; all per-message work is in
 * SmbConnection and the Dispatcher. A client's input never reaches the process: a bad frame
 * ends that one connection, a bad request gets an NTSTATUS.
 */
import type { AddressInfo, Socket } from 'node:net';
import winston, { type Logger } from 'winston';
import type { Cred } from '../backend/backend';
import { TcpListener } from '../net/tcp-listener';
import { NtlmServer, type NtlmUserConfig } from './auth';
import { COMMANDS } from './commands';
import { SmbConnection } from './connection';
import {
  type ConnectionLimits,
  connectionLimitsProblem,
  DEFAULT_CONNECTION_LIMITS,
  watchConnection,
} from './connection-limits';
import { ServerContext, type SmbEncryptionMode, type SmbLimits } from './server-context';
import { NOBODY } from './session';
import { type DiskShare, ShareTable } from './tree';

export interface SmbUserConfig extends NtlmUserConfig {
  /** The identity this user works as on the export (default nobody, 65534). */
  readonly uid?: number;
  readonly gid?: number;
  readonly gids?: readonly number[];
}

export interface SmbServerOptions {
  readonly shares: readonly DiskShare[];
  readonly users: readonly SmbUserConfig[];
  /** NetBIOS name of this server (NTLM target info). Default 'UPCALL'. */
  readonly computerName?: string;
  /** NetBIOS domain / workgroup. Default 'WORKGROUP'. */
  readonly domain?: string;
  /** Accept NTLMv1 responses (old Node clients). Default false. */
  readonly allowNtlmV1?: boolean;
  /** Accept anonymous (null) sessions, working as nobody. Default false. */
  readonly allowGuest?: boolean;
  /** Demand signing from every client (SecurityMode SIGNING_REQUIRED). Default false. */
  readonly requireSigning?: boolean;
  /** SMB3 encryption policy (see SmbEncryptionMode). Default 'offered'. */
  readonly encryption?: SmbEncryptionMode;
  readonly dialects?: readonly number[];
  readonly limits?: Partial<SmbLimits>;
  /** Connection admission and timeouts (connection-limits.ts); defaults 1024, 60 s, 900 s. */
  readonly connectionLimits?: Partial<ConnectionLimits>;
  readonly logger?: Logger;
}

export class SmbServer {
  readonly context: ServerContext;
  readonly logger: Logger;
  readonly connectionLimits: ConnectionLimits;
  private readonly listener: TcpListener<SmbConnection>;

  constructor(o: SmbServerOptions) {
    this.logger = o.logger ?? winston.createLogger({ silent: true });
    this.listener = new TcpListener('smb server', this.logger);
    this.connectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...o.connectionLimits };
    const problem = connectionLimitsProblem(this.connectionLimits);
    if (problem) throw new RangeError(`connectionLimits: ${problem}`);
    const byUser = new Map<string, SmbUserConfig>();
    for (const u of o.users) byUser.set(u.user.toLowerCase(), u);
    const credFor = (user: string, anonymous: boolean): Cred => {
      const u = anonymous ? undefined : byUser.get(user.toLowerCase());
      if (!u) return NOBODY;
      return { uid: u.uid ?? NOBODY.uid, gid: u.gid ?? NOBODY.gid, gids: [...(u.gids ?? [])] };
    };
    this.context = new ServerContext({
      ntlm: new NtlmServer({
        users: o.users,
        nbComputerName: o.computerName ?? 'UPCALL',
        nbDomainName: o.domain ?? 'WORKGROUP',
        allowNtlmV1: o.allowNtlmV1 ?? false,
        allowGuest: o.allowGuest ?? false,
      }),
      shares: new ShareTable(o.shares),
      logger: this.logger,
      credFor,
      ...(o.requireSigning !== undefined ? { requireSigning: o.requireSigning } : {}),
      ...(o.encryption ? { encryption: o.encryption } : {}),
      ...(o.dialects ? { dialects: o.dialects } : {}),
      ...(o.limits ? { limits: o.limits } : {}),
    });
  }

  get connectionCount(): number {
    return this.listener.connectionCount;
  }

  /** Starts listening; port 0 picks a free port. */
  listen(port = 445, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.listener.listen(port, host, (socket, forget) => this.accept(socket, forget));
  }

  /** A connection for `socket`: refused (closed unread) past maxConnections, else watched. */
  private accept(socket: Socket, forget: (c: SmbConnection) => void): SmbConnection {
    const limits = this.connectionLimits;
    const full = this.listener.connectionCount >= limits.maxConnections;
    if (full) {
      this.logger.warn('SMB connection refused: too many connections', {
        client: `${socket.remoteAddress}:${socket.remotePort}`,
        maxConnections: limits.maxConnections,
      });
      socket.destroy();
    }
    const conn = new SmbConnection(socket, this.context, COMMANDS, forget);
    if (!full) {
      const opens = this.context.opens;
      const hasOpens = () =>
        opens.opensWhere((o) => conn.state.sessions.get(o.session.id) === o.session).length > 0;
      watchConnection(conn, socket, limits, hasOpens, this.logger);
    }
    return conn;
  }

  address(): AddressInfo | null {
    return this.listener.address();
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return this.listener.close();
  }
}
