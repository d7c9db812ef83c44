/**
 * An ONC RPC v2 server over TCP (RFC 5531): every registered program (NFS, MOUNT, PORTMAP) is
 * served on the one port, so `nfs://host/export?nfsport=P&mountport=P` needs nothing else.
 *
 * The server owns the listening socket, the program table and the set of connections; all
 * per-call work is in RpcConnection. It never lets a client's input reach the process: framing
 * errors close that one connection, everything else becomes an RPC reply or a dropped record.
 */
import type { AddressInfo } from 'node:net';
import winston, { type Logger } from 'winston';
import { TcpListener } from '../net/tcp-listener';
import { ProgramTable, type ProgramVersion } from './program-table';
import { DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_RECORD_SIZE } from './record-marking';
import { type ConnectionLimits, RpcConnection } from './rpc-connection';
import type { RpcProgram } from './types';

export interface RpcServerOptions {
  /** Where the server logs; it makes a child per connection. Default: a silent logger. */
  readonly logger?: Logger;
  /** Largest record accepted (RFC 5531 §11, all fragments). Default 1 MiB + 64 KiB. */
  readonly maxRecordSize?: number;
  /** Most fragments in one record. Default 256. */
  readonly maxFragments?: number;
  /** Calls in flight per connection before the server stops reading it. Default 64. */
  readonly maxOutstandingPerConnection?: number;
  /** Bytes of call records in flight per connection before it stops reading. Default 16 MiB. */
  readonly maxOutstandingBytesPerConnection?: number;
}

export const DEFAULT_MAX_OUTSTANDING = 64;
export const DEFAULT_MAX_OUTSTANDING_BYTES = 16 * 1024 * 1024;

export class RpcServer {
  readonly logger: Logger;
  private readonly table = new ProgramTable();
  private readonly limits: ConnectionLimits;
  private readonly listener: TcpListener<RpcConnection>;

  constructor(options: RpcServerOptions = {}) {
    this.logger = options.logger ?? winston.createLogger({ silent: true });
    // Half-open: a client that sends FIN still gets the replies to the calls it already sent.
    this.listener = new TcpListener('rpc server', this.logger, { allowHalfOpen: true });
    this.limits = {
      maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
      maxFragments: options.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
      maxOutstanding: options.maxOutstandingPerConnection ?? DEFAULT_MAX_OUTSTANDING,
      maxOutstandingBytes: options.maxOutstandingBytesPerConnection ?? DEFAULT_MAX_OUTSTANDING_BYTES,
    };
    if (!(this.limits.maxOutstanding >= 1)) throw new RangeError('maxOutstandingPerConnection must be >= 1');
    if (!(this.limits.maxOutstandingBytes >= 1)) {
      throw new RangeError('maxOutstandingBytesPerConnection must be >= 1');
    }
  }

  /** Serves `program` from now on (also on connections already open). */
  register(program: RpcProgram): this {
    this.table.add(program);
    return this;
  }

  /** Whether calls to (prog, vers) are served here; PORTMAP's GETPORT asks this. */
  hasProgram(prog: number, vers: number): boolean {
    return this.table.procedures(prog, vers) !== undefined;
  }

  /** Every (program, version) served, sorted; PORTMAP's DUMP lists them. */
  programs(): ProgramVersion[] {
    return this.table.list();
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.listener.connectionCount;
  }

  /** Starts listening; port 0 picks a free port (see `address()`). */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.listener.listen(
      port,
      host,
      (socket, forget) => new RpcConnection(socket, this.table, this.limits, this.logger, forget),
    );
  }

  /** The bound address, or null when not listening. */
  address(): AddressInfo | null {
    return this.listener.address();
  }

  /** Stops listening and drops every connection; resolves once the listening socket is closed. */
  close(): Promise<void> {
    return this.listener.close();
  }
}
