/**
 * AUTH_SYS credentials (RFC 5531 appendix A):
 *
 *   struct authsys_parms {
 *     unsigned int stamp; string machinename<255>;
 *     unsigned int uid; unsigned int gid; unsigned int gids<16>;
 *   };
 *
 * Decoding is strict (a body with bytes left over is a bad credential, as in Linux's
 * svcauth_unix), and results are frozen so they can be shared: a client sends the same few
 * credentials on every call, so each connection keeps a tiny cache keyed by the raw body and
 * skips the string decode and the gids array on the hot path.
 */
import { XdrError } from './errors';
import type { AuthSys, XdrWriter } from './types';
import { createXdrReader } from './xdr-reader';

/** RFC 5531 appendix A: machinename<255>. */
export const AUTH_SYS_MAX_MACHINE_NAME = 255;
/** RFC 5531 appendix A: gids<16>. */
export const AUTH_SYS_MAX_GIDS = 16;

/** Decodes an AUTH_SYS credential body; throws XdrError when it is malformed. */
export function decodeAuthSys(body: Buffer): AuthSys {
  const r = createXdrReader(body);
  const stamp = r.u32();
  const machine = r.string(AUTH_SYS_MAX_MACHINE_NAME);
  const uid = r.u32();
  const gid = r.u32();
  const count = r.u32();
  if (count > AUTH_SYS_MAX_GIDS)
    throw new XdrError(`AUTH_SYS has ${count} gids, more than ${AUTH_SYS_MAX_GIDS}`);
  if (r.remaining < count * 4) throw new XdrError(`AUTH_SYS gids truncated`);
  const gids: number[] = new Array(count);
  for (let i = 0; i < count; i++) gids[i] = r.u32();
  if (r.remaining !== 0) throw new XdrError(`AUTH_SYS body has ${r.remaining} trailing bytes`);
  return Object.freeze({ stamp, machine, uid, gid, gids: Object.freeze(gids) });
}

/** Encodes an AUTH_SYS credential body (for clients and tests); the flavor and length are the caller's. */
export function encodeAuthSys(w: XdrWriter, auth: AuthSys): void {
  if (auth.gids.length > AUTH_SYS_MAX_GIDS) throw new RangeError(`at most ${AUTH_SYS_MAX_GIDS} gids`);
  w.u32(auth.stamp).string(auth.machine).u32(auth.uid).u32(auth.gid).u32(auth.gids.length);
  for (const g of auth.gids) w.u32(g);
}

const CACHE_SLOTS = 4;

/**
 * The last few credentials seen on one connection, keyed by their exact bytes. A kernel client
 * multiplexes every local user over one connection, hence a few slots rather than one.
 */
export class AuthSysCache {
  private readonly keys: Buffer[] = [];
  private readonly values: AuthSys[] = [];
  private nextSlot = 0;

  /** The decoded credential for `body`; throws XdrError when it is malformed. */
  get(body: Buffer): AuthSys {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i]!.equals(body)) return this.values[i]!;
    }
    const auth = decodeAuthSys(body);
    // Copy the key: `body` is a view into a record buffer we must not keep alive.
    const slot = keys.length < CACHE_SLOTS ? keys.length : this.nextSlot++ % CACHE_SLOTS;
    keys[slot] = Buffer.from(body);
    this.values[slot] = auth;
    return auth;
  }
}
