/**
 * The durable-handle create contexts (MS-SMB2 §2.2.13.2.3-4, §2.2.13.2.11-12 requests,
 * §2.2.14.2.3-4, §2.2.14.2.12 responses):
 *   "DHnQ" request: 16 reserved bytes; response: 8 reserved bytes.
 *   "DHnC" request: the FileId (16) of the open to reclaim.
 *   "DH2Q" request: Timeout (ms), Flags (PERSISTENT), Reserved (8), CreateGuid (16);
 *          response: Timeout, Flags.
 *   "DH2C" request: FileId (16), CreateGuid (16), Flags.
 * The v2 contexts are read only on a 3.x connection (§3.3.5.9.10/.12); a 2.x server ignores
 * them. Combinations the spec forbids are STATUS_INVALID_PARAMETER (§3.3.5.9).
 */
import { NtStatus, SmbError } from '../ntstatus';
import { readFileId } from '../wire';

/** Samba's and Windows' timeout for a v1 durable open, and for a v2 one asking for 0. */
export const DEFAULT_DURABLE_TIMEOUT_MS = 60_000;
/** The longest a v2 durable open is kept, whatever it asks (Samba caps at 300 s too). */
export const MAX_DURABLE_TIMEOUT_MS = 300_000;

const ZERO_GUID = Buffer.alloc(16);

const bad = (why: string) => new SmbError(NtStatus.STATUS_INVALID_PARAMETER, why);

/** What the request asks of durability: a new durable open, or the reclaim of a kept one. */
export type DurableAsk =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'request';
      readonly version: 1 | 2;
      readonly timeoutMs: number;
      readonly createGuid: Buffer;
    }
  | {
      readonly kind: 'reconnect';
      readonly version: 1 | 2;
      readonly persistent: bigint;
      readonly createGuid: Buffer;
    };

export function parseDurableContexts(contexts: ReadonlyMap<string, Buffer>, is3x: boolean): DurableAsk {
  const dhnq = contexts.get('DHnQ');
  const dhnc = contexts.get('DHnC');
  const dh2q = is3x ? contexts.get('DH2Q') : undefined;
  const dh2c = is3x ? contexts.get('DH2C') : undefined;
  if (dh2q && (dhnq || dhnc || dh2c)) throw bad('DH2Q with another durable context');
  if (dh2c && (dhnq || dhnc)) throw bad('DH2C with a v1 durable context');
  if (dh2c) {
    if (dh2c.length < 36) throw bad(`${dh2c.length}-byte DH2C`);
    return {
      kind: 'reconnect',
      version: 2,
      persistent: readFileId(dh2c, 0).persistent,
      createGuid: Buffer.from(dh2c.subarray(16, 32)),
    };
  }
  // §3.3.5.9.7: with DHnC, a DHnQ beside it is ignored (smb2.durable-open.reopen2).
  if (dhnc) {
    if (dhnc.length < 16) throw bad(`${dhnc.length}-byte DHnC`);
    return {
      kind: 'reconnect',
      version: 1,
      persistent: readFileId(dhnc, 0).persistent,
      createGuid: ZERO_GUID,
    };
  }
  if (dh2q) {
    if (dh2q.length < 32) throw bad(`${dh2q.length}-byte DH2Q`);
    const asked = dh2q.readUInt32LE(0);
    return {
      kind: 'request',
      version: 2,
      timeoutMs: asked === 0 ? DEFAULT_DURABLE_TIMEOUT_MS : Math.min(asked, MAX_DURABLE_TIMEOUT_MS),
      createGuid: Buffer.from(dh2q.subarray(16, 32)),
    };
  }
  if (dhnq)
    return { kind: 'request', version: 1, timeoutMs: DEFAULT_DURABLE_TIMEOUT_MS, createGuid: ZERO_GUID };
  return { kind: 'none' };
}

/** The response context for a granted durable open (no PERSISTENT flag: we offer no persistent handles). */
export function durableResponseContext(version: 1 | 2, timeoutMs: number): { name: string; data: Buffer } {
  if (version === 1) return { name: 'DHnQ', data: Buffer.alloc(8) };
  const d = Buffer.alloc(8);
  d.writeUInt32LE(timeoutMs, 0);
  return { name: 'DH2Q', data: d };
}
