/**
 * Our own hand-rolled NFS client (test/helpers/rpc-client.ts + nfs3-calls.ts) on a real socket
 * to a running head — for what libnfs cannot send: chosen AUTH_SYS identities on calls libnfs
 * would refuse client-side, forged handles, broken records.
 */
import type { AuthSys } from '../../gateway/rpc/types';
import { Mount3Calls } from './mount3-calls';
import { Nfs3Calls, type RpcCaller } from './nfs3-calls';
import { AUTH_NONE, authSys, RpcClient } from './rpc-client';

export interface RawNfsClient {
  readonly rpc: RpcClient;
  readonly nfs: Nfs3Calls;
  readonly mount: Mount3Calls;
  /** MNT of the export: its root handle (throws when refused). */
  mountRoot(exportName?: string): Promise<Buffer>;
  /** LOOKUP of each component of '/a/b' from `root`; throws on any failure. */
  walk(root: Buffer, path: string): Promise<Buffer>;
  close(): Promise<void>;
}

export function authSysOf(uid: number, gid: number, gids: number[] = [gid]): AuthSys {
  return { stamp: 1, machine: 'e2e', uid, gid, gids };
}

function callerOf(client: RpcClient): RpcCaller {
  return {
    call: (prog, vers, proc, args, auth) =>
      client.call(prog, vers, proc, args, auth ? authSys({ ...auth, gids: [...auth.gids] }) : AUTH_NONE),
  };
}

export async function connectRaw(
  port: number,
  auth: AuthSys | null = authSysOf(1000, 1000),
): Promise<RawNfsClient> {
  const rpc = await RpcClient.connect(port);
  const caller = callerOf(rpc);
  const nfs = new Nfs3Calls(caller, auth);
  const mount = new Mount3Calls(caller, auth);
  return {
    rpc,
    nfs,
    mount,
    async mountRoot(exportName = '/export') {
      const r = await mount.mnt(exportName);
      if (!r.fh) throw new Error(`MNT ${exportName} refused: status ${r.stat}`);
      return r.fh;
    },
    async walk(root, path) {
      let fh = root;
      for (const name of path.split('/').filter(Boolean)) {
        const r = await nfs.lookup(fh, name);
        if (!r.fh) throw new Error(`LOOKUP ${name} in ${path}: status ${r.stat}`);
        fh = r.fh;
      }
      return fh;
    },
    close: () => rpc.close(),
  };
}
