/**
 * Runs the peers' `tools/nfsload` (closed-loop NFSv3 load on libnfs raw async calls) and reads
 * its one JSON line (-j). Its flags, from nfsload.c: -o op, -c connections, -d calls outstanding
 * per connection, -t measured seconds (after -w seconds of warm-up, default 1), -n number of small
 * files "nl.K" (default 100). Before timing it creates nl.0 … nl.(n-1) (128 B) and nl.data (1 MiB)
 * through the server unless they already exist with at least that size; it exits 3 when any call
 * failed, 2 when it could not mount or set up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type NfsloadOp = 'getattr' | 'lookup' | 'read4k' | 'mixed';

export interface NfsloadResult {
  op: NfsloadOp;
  conns: number;
  depth: number;
  secs: number;
  ops: number;
  ops_per_s: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  errors: number;
}

export interface NfsloadRun {
  op: NfsloadOp;
  conns: number;
  depth: number;
  secs: number;
  files: number;
}

/** nfsload's fixture: what it writes (or expects) in the export root, byte for byte. */
export const NFSLOAD_SMALL_SIZE = 128;
export const NFSLOAD_DATA_SIZE = 1 << 20;

/** nfsload fills its buffer with (char)(i * 131 + 7); the pattern repeats every 256 bytes. */
export function nfsloadBytes(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + 7) & 0xff;
  return b;
}

export function nfsload(peers: string, url: string, r: NfsloadRun): NfsloadResult {
  const args = ['-j', '-o', r.op, '-c', String(r.conns), '-d', String(r.depth)];
  args.push('-t', String(r.secs), '-n', String(r.files), url);
  const p = spawnSync(join(peers, 'tools', 'nfsload'), args, {
    encoding: 'utf8',
    timeout: (r.secs + 60) * 1000,
  });
  if (p.error) throw p.error;
  const line = p.stdout.trim().split('\n').pop() ?? '';
  if ((p.status !== 0 && p.status !== 3) || !line.startsWith('{'))
    throw new Error(
      `nfsload ${args.join(' ')} failed (exit ${p.status ?? p.signal}): ${p.stderr.trim() || line}`,
    );
  return JSON.parse(line) as NfsloadResult;
}
