/**
 * Transport-level limits of the SMB server, so idle or hostile clients cannot hold resources
 * forever (Windows has the same three knobs: MaxConnections-style admission, the
 * unauthenticated-connection timeout, and autodisconnect of idle sessions):
 * - `maxConnections`: a connection accepted while that many are open is closed at once, before
 *   a byte of it is read;
 * - `authTimeoutMs`: a connection with no valid (authenticated) session that long after it was
 *   accepted is closed — a client that never logs on cannot squat on a slot;
 * - `idleTimeoutMs`: a connection that has sent nothing for that long and has no open files is
 *   closed (an open file keeps it: a client may hold a handle, or wait on a change notify,
 *   without talking). 0 turns a timeout off.
 * Timers are unref'd and cleared when the socket closes, so they never keep the process alive.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'winston';
import type { SmbConnection } from './connection';

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1024,
  authTimeoutMs: 60_000,
  idleTimeoutMs: 900_000,
};

export function connectionLimitsProblem(l: ConnectionLimits): string | undefined {
  if (!Number.isInteger(l.maxConnections) || l.maxConnections < 1)
    return 'maxConnections: a positive integer';
  for (const k of ['authTimeoutMs', 'idleTimeoutMs'] as const)
    if (!Number.isFinite(l[k]) || l[k] < 0 || l[k] > 2 ** 31 - 1) return `${k}: 0 (off) or a positive time`;
  return undefined;
}

/** Arms the auth and idle timers of one connection; `hasOpens` tells whether it holds any open. */
export function watchConnection(
  conn: SmbConnection,
  socket: Socket,
  limits: ConnectionLimits,
  hasOpens: () => boolean,
  log: Logger,
): void {
  let lastActivity = Date.now();
  let authTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const end = (reason: string, detail: Record<string, unknown>) => {
    log.info('SMB connection closed by the server', { reason, ...detail, client: conn.state.peer });
    conn.destroy();
  };
  if (limits.authTimeoutMs > 0) {
    authTimer = setTimeout(() => {
      const authenticated = [...conn.state.sessions.values()].some((s) => s.valid);
      if (!authenticated) end('no logon in time', { authTimeoutMs: limits.authTimeoutMs });
    }, limits.authTimeoutMs);
    authTimer.unref();
  }
  const checkIdle = () => {
    const quiet = Date.now() - lastActivity;
    if (quiet >= limits.idleTimeoutMs && !hasOpens()) {
      end('idle', { idleTimeoutMs: limits.idleTimeoutMs });
      return;
    }
    // Busy, or holding opens: look again one full period after the last activity (or from now).
    const wait = quiet >= limits.idleTimeoutMs ? limits.idleTimeoutMs : limits.idleTimeoutMs - quiet;
    idleTimer = setTimeout(checkIdle, wait);
    idleTimer.unref();
  };
  if (limits.idleTimeoutMs > 0) {
    socket.on('data', () => {
      lastActivity = Date.now();
    });
    idleTimer = setTimeout(checkIdle, limits.idleTimeoutMs);
    idleTimer.unref();
  }
  socket.once('close', () => {
    clearTimeout(authTimer);
    clearTimeout(idleTimer);
  });
}
