/**
 * A real NFSv3 + MOUNT v3 server for tests: RpcServer on an ephemeral port, PosixBackend on a
 * fresh temp directory (mode 0777, so the default test caller uid 1000 may create in it), and
 * an RpcClient wrapped in Nfs3Calls / Mount3Calls.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'winston';
import { PosixBackend, type PosixBackendOptions } from '../../gateway/backend/posix-backend';
import { createMount3Program, type Mount3Program } from '../../gateway/mount/mount3-program';
import { type ExportConfig, ExportTable } from '../../gateway/nfs/exports';
import { createNfs3Program, type Nfs3Program } from '../../gateway/nfs/nfs3-program';
import { RpcServer } from '../../gateway/rpc/rpc-server';
import { Mount3Calls } from './mount3-calls';
import { Nfs3Calls, type RpcCaller } from './nfs3-calls';
import { AUTH_NONE, authSys, RpcClient } from './rpc-client';

export interface Nfs3Harness {
  /** The export's directory on disk. */
  readonly dir: string;
  readonly backend: PosixBackend;
  readonly exports: ExportTable;
  readonly server: RpcServer;
  readonly nfsProgram: Nfs3Program;
  readonly mountProgram: Mount3Program;
  readonly port: number;
  readonly nfs: Nfs3Calls;
  readonly mount: Mount3Calls;
  /** The export root's handle (taken from the table, so it exists even where MNT is refused). */
  readonly root: Buffer;
  /** Another connection, with its own callers. */
  connect(): Promise<{ nfs: Nfs3Calls; mount: Mount3Calls; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface Nfs3HarnessOptions {
  readonly export?: Partial<ExportConfig>;
  readonly backend?: PosixBackendOptions;
  /** Given to both programs; silent by default. */
  readonly logger?: Logger;
}

export function callerOf(client: RpcClient): RpcCaller {
  return {
    call: (prog, vers, proc, args, auth) =>
      client.call(prog, vers, proc, args, auth ? authSys({ ...auth, gids: [...auth.gids] }) : AUTH_NONE),
  };
}

export async function startNfs3(opts: Nfs3HarnessOptions = {}): Promise<Nfs3Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'upcall-nfs3-'));
  await chmod(dir, 0o777);
  const backend = await PosixBackend.open(dir, opts.backend);
  const exports = new ExportTable([
    { config: { name: '/export', path: dir, ...opts.export }, backend, handles: backend },
  ]);
  const nfsProgram = createNfs3Program({ exports, logger: opts.logger });
  const mountProgram = createMount3Program({ exports, logger: opts.logger });
  const server = new RpcServer().register(nfsProgram).register(mountProgram);
  const { port } = await server.listen(0);
  const clients: RpcClient[] = [];
  const connect = async () => {
    const client = await RpcClient.connect(port);
    clients.push(client);
    const caller = callerOf(client);
    return { nfs: new Nfs3Calls(caller), mount: new Mount3Calls(caller), close: () => client.close() };
  };
  const first = await connect();
  return {
    dir,
    backend,
    exports,
    server,
    nfsProgram,
    mountProgram,
    port,
    nfs: first.nfs,
    mount: first.mount,
    root: exports.list[0]!.rootHandle(),
    connect,
    async close() {
      for (const c of clients) c.destroy();
      await server.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
