/**
 * Closing an Open, whoever asks: CLOSE, TREE_DISCONNECT, LOGOFF, or the connection going away
 * (MS-SMB2 §3.3.4.17). Its pending CHANGE_NOTIFY requests end with STATUS_NOTIFY_CLEANUP and its
 * byte-range locks go, and its oplock or its share of a lease (a break waiting on it ends). The last close of a delete-pending object removes it (MS-FSA §2.1.5.4):
 * the name it was opened under is checked to still lead to the same inode first, so a name
 * reused meanwhile (through NFS, or on disk) is never deleted in its place.
 */
import type { Logger } from 'winston';
import { BackendError } from '../backend/errors';
import { keepDisconnected } from './durable/disconnect';
import type { Open } from './open-table';
import type { ServerContext } from './server-context';

/** Removes `open` from the table; deletes the object if that was its last open and it is delete-pending. */
export async function closeOpen(server: ServerContext, open: Open, log: Logger): Promise<void> {
  server.durable.forget(open);
  server.notify.release(open);
  server.caching.release(open);
  server.lockWaits.releaseOpen(open);
  server.locks.releaseOpen(open);
  server.lockWaits.retry(open.ino);
  if (!server.opens.remove(open)) {
    // Still open elsewhere but now delete-pending: watches on it end (smb2.notify.rmdir1-4).
    if (open.isDir && server.opens.isDeletePending(open.ino)) server.notify.deletePending(open.ino);
    return;
  }
  const removal = removeObject(open, log);
  server.opens.noteRemoval(open.ino, removal);
  await removal;
}

/** The delete-on-close of `open`'s object, now its last open is gone. */
async function removeObject(open: Open, log: Logger): Promise<void> {
  const disk = open.tree.disk;
  if (!disk || open.parent === undefined) return;
  const cred = open.session.cred;
  try {
    const now = await disk.backend.lookup(open.parent, open.name, cred);
    if (now.fileid !== open.ino) {
      log.debug('delete on close skipped: the name now names another object', { path: open.path });
      return;
    }
    if (open.isDir) await disk.backend.rmdir(open.parent, open.name, cred);
    else await disk.backend.remove(open.parent, open.name, cred);
  } catch (err) {
    if (err instanceof BackendError && err.code === 'ENOENT') return;
    log.info('delete on close failed', { path: open.path, cause: String(err) });
  }
}

/**
 * Closes every open matching `pred`, one after another (deletes must not race each other).
 * With `keepDurable` (a lost connection, LOGOFF, a session reconnect) a durable open is kept
 * instead for its client to reclaim (durable/disconnect.ts); TREE_DISCONNECT closes them all.
 */
export async function closeOpensWhere(
  server: ServerContext,
  pred: (o: Open) => boolean,
  log: Logger,
  keepDurable = true,
): Promise<void> {
  const expire = (o: Open) => {
    closeOpen(server, o, log).catch((err: unknown) =>
      log.warn('closing an expired durable open failed', { cause: String(err) }),
    );
  };
  for (const o of server.opens.opensWhere(pred)) {
    if (keepDurable && keepDisconnected(server, o, expire)) {
      log.debug('durable open kept', { path: o.path });
      continue;
    }
    await closeOpen(server, o, log);
  }
}
