/**
 * A closed-loop NFSv3 load of GETATTR or WRITE calls for bench/heads.ts, on the tests' own RPC
 * client (test/helpers/rpc-client.ts: pipelined calls on one socket). Arguments are encoded once
 * per file, so the loader spends its time on sockets, not XDR. Each reply is checked (accepted,
 * NFS3_OK): a fast wrong answer is no result.
 */
import { createXdrWriter } from '../../gateway/rpc/xdr-writer';
import { authSys, RpcClient } from '../../test/helpers/rpc-client';

const NFS = 100003;
const GETATTR = 1;
const WRITE = 7;
const AUTH = authSys({ uid: 1000, gid: 1000, gids: [1000] });

/**
 * stat: GETATTR; write: 4 KiB WRITE through every head; write1: the same WRITEs through the
 * first head only, while the others have read every file once (one writer, other heads' caches
 * holding the files: the told-once case).
 */
export type LoadKind = 'stat' | 'write' | 'write1';

export interface LoadResult {
  readonly ops: number;
  readonly opsPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
}

function argsFor(kind: LoadKind, fh: Buffer, data: Buffer): Buffer {
  const w = createXdrWriter(64 + data.length).opaque(fh);
  // WRITE: offset 0, count, UNSTABLE (what clients send; COMMIT would follow), data.
  if (kind !== 'stat') w.u64(0n).u32(data.length).u32(0).opaque(data);
  return w.finish();
}

export interface LoadPlan {
  readonly kind: LoadKind;
  /** Head ports; connections are spread over them evenly. */
  readonly ports: readonly number[];
  readonly fhs: readonly Buffer[];
  readonly conns: number;
  readonly depth: number;
  readonly warmMs: number;
  readonly measureMs: number;
}

export async function runLoad(p: LoadPlan): Promise<LoadResult> {
  const data = Buffer.alloc(4096, 0x61);
  const args = p.fhs.map((fh) => argsFor(p.kind, fh, data));
  const proc = p.kind === 'stat' ? GETATTR : WRITE;
  const clients = await Promise.all(
    Array.from({ length: p.conns }, (_, i) => RpcClient.connect(p.ports[i % p.ports.length])),
  );
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let ops = 0;
  const start = performance.now();
  const measureFrom = start + p.warmMs;
  const end = measureFrom + p.measureMs;
  let seed = 12345;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return args[seed % args.length];
  };
  const worker = async (c: RpcClient) => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      if (!measuring && t0 >= measureFrom) measuring = true;
      const r = await c.call(NFS, 3, proc, pick(), AUTH);
      const t1 = performance.now();
      if (r.acceptStat !== 0 || r.body.readUInt32BE(0) !== 0) errors++;
      if (t0 >= measureFrom && t1 <= end) {
        ops++;
        latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: p.depth }, () => worker(c))));
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const q = (x: number) => (latencies.length ? latencies[Math.floor(x * (latencies.length - 1))] * 1000 : 0);
  return { ops, opsPerS: ops / (p.measureMs / 1000), p50Us: q(0.5), p99Us: q(0.99), errors };
}
