import type { Subscription } from 'rxjs';
import type { Logger } from 'winston';
import { attachSmbAdapter, LeaseFeed, NotifyFeed } from '../adapters';
import type { Attrs } from '../gateway/backend/attrs';
import type { PosixBackend } from '../gateway/backend/posix-backend';
import { MetaCache } from '../gateway/cache/meta-cache';
import { type ConnectionLimits, type SmbEncryptionMode, SmbServer, type SmbUserConfig } from '../gateway/smb';
import { capCacheTtl, withUpcall } from '../plugin';
import type { UpcallCore } from '../upcall-core';

export interface SmbFrontendOptions {
  readonly core: UpcallCore<Attrs>;
  readonly backend: PosixBackend;
  /** The cache holder's name for the core, e.g. `head-1/smb`. */
  readonly client: string;
  /** Share names, all serving the export root. */
  readonly shares: readonly string[];
  readonly readOnly: boolean;
  readonly users: readonly SmbUserConfig[];
  readonly allowNtlmV1: boolean;
  readonly allowGuest: boolean;
  /** Default 'offered'. */
  readonly smbEncryption?: SmbEncryptionMode;
  readonly host: string;
  readonly port: number;
  readonly cacheTtlMs: number;
  readonly connectionLimits?: Partial<ConnectionLimits>;
  readonly logger: Logger;
}

export interface SmbFrontend {
  readonly client: string;
  readonly cache: MetaCache;
  readonly server: SmbServer;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One SMB server as DESIGN.md draws it, the twin of nfs-frontend.ts: SMB2/3 over its own
 * metadata cache, over the upcall plugin (cache holder `client`), over the same POSIX backend
 * as NFS — and the SMB adapter evicting from that cache on upcalls. A change through NFS thus
 * reaches SMB's cache through the core, and the other way round.
 */
export async function startSmbFrontend(o: SmbFrontendOptions): Promise<SmbFrontend> {
  // CHANGE_NOTIFY is fed from both sides: upcalls (NFS, other heads, the watcher) and, through
  // the tapped core, the SMB server's own changes (which the core never sends back to it).
  const feed = new NotifyFeed(o.core, o.client);
  // Oplocks and leases are broken by upcalls too (a write through NFS, another head, the watcher).
  const leaseFeed = new LeaseFeed(o.core, o.client);
  const cache = new MetaCache(withUpcall(o.backend, feed.core, o.client), { ttlMs: o.cacheTtlMs });
  const subs: Subscription[] = [
    capCacheTtl(o.core, cache),
    attachSmbAdapter(o.core, o.client, cache, {
      onInvalidation: (ev) => {
        feed.onInvalidation(ev);
        leaseFeed.onInvalidation(ev);
      },
    }),
  ];
  const server = new SmbServer({
    shares: o.shares.map((name) => ({ kind: 'disk' as const, name, backend: cache, readOnly: o.readOnly })),
    users: o.users,
    allowNtlmV1: o.allowNtlmV1,
    allowGuest: o.allowGuest,
    ...(o.connectionLimits ? { connectionLimits: o.connectionLimits } : {}),
    ...(o.smbEncryption ? { encryption: o.smbEncryption } : {}),
    logger: o.logger.child({ part: 'smb', holder: o.client }),
  });
  feed.bind(server.context.notify);
  leaseFeed.bind(server.context.caching);
  let port: number;
  try {
    ({ port } = await server.listen(o.port, o.host));
  } catch (err) {
    for (const s of subs) s.unsubscribe();
    feed.close();
    leaseFeed.close();
    throw err;
  }
  return {
    client: o.client,
    cache,
    server,
    port,
    async close() {
      for (const s of subs) s.unsubscribe();
      feed.close();
      leaseFeed.close();
      await server.close();
    },
  };
}
