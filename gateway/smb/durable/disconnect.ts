/**
 * What becomes of a durable open when its connection goes (MS-SMB2 §3.3.7.1), and of a kept
 * one when another open needs it broken (§3.3.4.6/§3.3.4.7: a disconnected open cannot be told
 * of a break, so it is closed and the other open goes on at once — smb2.durable-open.oplock,
 * .lease, .open2-oplock, .open2-lease).
 */
import type { Holder } from '../leases/holder';
import type { Open } from '../open-table';
import type { ServerContext } from '../server-context';

/**
 * `open`'s connection or session is gone (not a CLOSE, not a TREE_DISCONNECT). Returns true
 * when it is kept for its durable timeout — durable, still holding a BATCH oplock or a lease
 * with handle caching, and not to be deleted on close (Samba closes those, which
 * smb2.durable-open.delete_on_close1 expects) — after which `close` ends it.
 */
export function keepDisconnected(server: ServerContext, open: Open, close: (o: Open) => void): boolean {
  if (!server.durable.grantOf(open)) return false;
  if (open.deleteOnClose || server.opens.isDeletePending(open.ino) || !server.caching.keepsHandle(open))
    return false;
  // Requests waiting on the lost connection end; the open's state (locks, caching, share mode) stays.
  server.notify.release(open);
  server.lockWaits.releaseOpen(open);
  if (!server.durable.disconnect(open, close)) return false;
  server.caching.detachSink(open);
  return true;
}

/** CachingTable's hook: a break of a holder with only disconnected opens closes them (see above). */
export function closeDisconnectedHolder(server: ServerContext, h: Holder, close: (o: Open) => void): boolean {
  const opens = h.kind === 'oplock' ? [h.open] : [...h.opens];
  if (opens.length === 0 || !opens.every((o) => server.durable.isDisconnected(o))) return false;
  for (const o of opens) {
    server.durable.forget(o);
    close(o);
  }
  return true;
}
