import type { Subscription } from 'rxjs';
import type { Logger } from 'winston';
import { attachNfsAdapter } from '../adapters';
import type { Attrs } from '../gateway/backend/attrs';
import type { PosixBackend } from '../gateway/backend/posix-backend';
import { CachedHandles } from '../gateway/cache/cached-handles';
import { MetaCache } from '../gateway/cache/meta-cache';
import { createMount3Program } from '../gateway/mount/mount3-program';
import { type ExportConfig, ExportTable } from '../gateway/nfs/exports';
import { createNfs3Program } from '../gateway/nfs/nfs3-program';
import { createPortmapProgram } from '../gateway/portmap';
import { RpcServer } from '../gateway/rpc/rpc-server';
import { capCacheTtl, withUpcall } from '../plugin';
import type { UpcallCore } from '../upcall-core';

export interface NfsFrontendOptions {
  readonly core: UpcallCore<Attrs>;
  readonly backend: PosixBackend;
  /** The cache holder's name for the core, e.g. `head-1/nfs`. */
  readonly client: string;
  readonly export: ExportConfig;
  readonly host: string;
  readonly port: number;
  readonly cacheTtlMs: number;
  readonly logger: Logger;
}

export interface NfsFrontend {
  readonly client: string;
  readonly cache: MetaCache;
  readonly server: RpcServer;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One NFS server as DESIGN.md draws it: NFSv3 + MOUNT + PORTMAP on one port, over a metadata
 * cache, over the upcall plugin, over the POSIX backend — and the NFS adapter evicting from that
 * cache on upcalls for `client`.
 */
export async function startNfsFrontend(o: NfsFrontendOptions): Promise<NfsFrontend> {
  const cache = new MetaCache(withUpcall(o.backend, o.core, o.client), { ttlMs: o.cacheTtlMs });
  const subs: Subscription[] = [capCacheTtl(o.core, cache), attachNfsAdapter(o.core, o.client, cache)];
  const handles = new CachedHandles(o.backend, cache);
  const exports = new ExportTable([{ config: o.export, backend: cache, handles }]);
  const logger = o.logger.child({ part: 'nfs', client: o.client });
  const server = new RpcServer({ logger: o.logger.child({ part: 'rpc' }) });
  server
    .register(createNfs3Program({ exports, logger }))
    .register(createMount3Program({ exports, logger: o.logger.child({ part: 'mount' }) }))
    .register(createPortmapProgram(server));
  let port: number;
  try {
    ({ port } = await server.listen(o.port, o.host));
  } catch (err) {
    for (const s of subs) s.unsubscribe();
    throw err;
  }
  return {
    client: o.client,
    cache,
    server,
    port,
    async close() {
      for (const s of subs) s.unsubscribe();
      await server.close();
    },
  };
}
