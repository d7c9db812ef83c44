/**
 * Resume keys (MS-SMB2 §3.3.5.15.6 and §2.2.32.3): the 24-byte opaque key a client gets for a
 * source Open and later names in FSCTL_SRV_COPYCHUNK, possibly on another tree or session of
 * the same server. One key per Open, made on first request (two requests return the same key);
 * a key whose Open has closed finds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Open } from '../../open-table';
import type { ServerContext } from '../../server-context';

export const RESUME_KEY_SIZE = 24;

interface Keys {
  readonly byKey: Map<string, Open>;
  readonly byOpen: WeakMap<Open, Buffer>;
}

const perServer = new WeakMap<ServerContext, Keys>();

function keysOf(server: ServerContext): Keys {
  let k = perServer.get(server);
  if (!k) {
    k = { byKey: new Map(), byOpen: new WeakMap() };
    perServer.set(server, k);
  }
  return k;
}

/** The key of `open`, made now if it has none. */
export function resumeKeyFor(server: ServerContext, open: Open): Buffer {
  const keys = keysOf(server);
  let key = keys.byOpen.get(open);
  if (!key) {
    key = randomBytes(RESUME_KEY_SIZE);
    keys.byOpen.set(open, key);
    keys.byKey.set(key.toString('hex'), open);
    sweep(server, keys);
  }
  return key;
}

/** The still-open Open a key names, else undefined. */
export function openOfResumeKey(server: ServerContext, key: Buffer): Open | undefined {
  const keys = keysOf(server);
  const hex = key.toString('hex');
  const open = keys.byKey.get(hex);
  if (!open) return undefined;
  if (server.opens.get(open.fileId, open.tree) !== open) {
    keys.byKey.delete(hex);
    return undefined;
  }
  return open;
}

/** Drops keys of closed opens once the map has grown, so it stays bounded by the open table. */
function sweep(server: ServerContext, keys: Keys): void {
  if (keys.byKey.size <= Math.max(1024, server.opens.size * 2)) return;
  for (const [hex, open] of keys.byKey)
    if (server.opens.get(open.fileId, open.tree) !== open) keys.byKey.delete(hex);
}
