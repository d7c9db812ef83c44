import { AuthError, XdrError } from '../../gateway/rpc/errors';
import { AuthStat } from '../../gateway/rpc/rpc-constants';
import type { CallContext, Procedure, RpcProgram } from '../../gateway/rpc/types';

/**
 * A small RPC program for server tests: versions 2 and 4 (so a call to version 3 gets
 * PROG_MISMATCH 2..4), a hole at procedure 6, and procedures that echo, delay, throw, fail to
 * encode, refuse credentials, produce big replies, or wait on a gate the test opens.
 */
export const TEST_PROG = 0x20000042;
/** DELAY waits at most this long; BIG answers at most this many bytes. */
export const MAX_DELAY_MS = 200;
export const MAX_BIG = 4 * 1024 * 1024;
export const TEST_VERS = 2;

export const Proc = {
  NULL: 0,
  ECHO: 1,
  DELAY: 2,
  WHOAMI: 3,
  THROW: 4,
  REJECT: 5,
  HOLE: 6,
  BAD_ENCODE: 7,
  NEEDS_AUTH_SYS: 8,
  BIG: 9,
  GATE: 10,
} as const;

export interface TestProgram {
  readonly program: RpcProgram;
  /** How many times each procedure's run was entered. */
  readonly runs: number[];
  /** Resolvers of GATE calls waiting to be released, in arrival order. */
  readonly gates: Array<() => void>;
}

function proc<A, R>(p: Procedure<A, R>): Procedure {
  return p as Procedure;
}

export function createTestProgram(): TestProgram {
  const runs: number[] = Array(11).fill(0);
  const gates: Array<() => void> = [];
  const counted = <A, R>(n: number, run: (a: A, ctx: CallContext) => R | Promise<R>) => {
    return (a: A, ctx: CallContext) => {
      runs[n]!++;
      return run(a, ctx);
    };
  };
  const v2: Procedure[] = [];
  v2[Proc.NULL] = proc<void, void>({
    name: 'NULL',
    decode: () => undefined,
    run: counted(Proc.NULL, () => undefined),
    encode: () => {},
  });
  v2[Proc.ECHO] = proc<Buffer, Buffer>({
    name: 'ECHO',
    decode: (r) => r.opaque(1024),
    run: counted(Proc.ECHO, (b: Buffer) => b),
    encode: (w, b) => void w.opaque(b),
  });
  v2[Proc.DELAY] = proc<{ ms: number; value: number }, number>({
    name: 'DELAY',
    // Clamped so that no call (fuzzed ones included) outlives a test.
    decode: (r) => ({ ms: Math.min(r.u32(), MAX_DELAY_MS), value: r.u32() }),
    run: counted(Proc.DELAY, (a: { ms: number; value: number }) => {
      return new Promise<number>((resolve) => setTimeout(() => resolve(a.value), a.ms));
    }),
    encode: (w, v) => void w.u32(v),
  });
  v2[Proc.WHOAMI] = proc<undefined, CallContext>({
    name: 'WHOAMI',
    decode: () => undefined,
    run: counted(Proc.WHOAMI, (_a: undefined, ctx: CallContext) => ctx),
    encode: (w, ctx) => {
      w.u32(ctx.xid).bool(ctx.auth !== null);
      if (ctx.auth) {
        w.u32(ctx.auth.stamp).string(ctx.auth.machine).u32(ctx.auth.uid).u32(ctx.auth.gid);
        w.u32(ctx.auth.gids.length);
        for (const g of ctx.auth.gids) w.u32(g);
      }
      w.string(ctx.remoteAddress);
    },
  });
  v2[Proc.THROW] = proc<void, void>({
    name: 'THROW',
    decode: () => undefined,
    run: counted(Proc.THROW, () => {
      throw new Error('boom (sync)');
    }),
    encode: () => {},
  });
  v2[Proc.REJECT] = proc<void, void>({
    name: 'REJECT',
    decode: () => undefined,
    run: counted(Proc.REJECT, async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new Error('boom (async)');
    }),
    encode: () => {},
  });
  v2[Proc.BAD_ENCODE] = proc<void, number>({
    name: 'BAD_ENCODE',
    decode: () => undefined,
    run: counted(Proc.BAD_ENCODE, () => -5),
    encode: (w, v) => {
      w.u32(1).u32(v); // u32(-5) throws RangeError after one word is written
    },
  });
  v2[Proc.NEEDS_AUTH_SYS] = proc<undefined, void>({
    name: 'NEEDS_AUTH_SYS',
    decode: () => undefined,
    run: counted(Proc.NEEDS_AUTH_SYS, (_a: undefined, ctx: CallContext) => {
      if (ctx.auth === null) throw new AuthError(AuthStat.AUTH_TOOWEAK, 'AUTH_SYS required');
    }),
    encode: () => {},
  });
  v2[Proc.BIG] = proc<number, number>({
    name: 'BIG',
    decode: (r) => {
      const n = r.u32();
      if (n > MAX_BIG) throw new XdrError(`BIG of ${n} bytes`);
      return n;
    },
    run: counted(Proc.BIG, (n: number) => n),
    encode: (w, n) => void w.opaque(Buffer.alloc(n, 0x5a)),
  });
  v2[Proc.GATE] = proc<number, number>({
    name: 'GATE',
    decode: (r) => r.u32(),
    run: counted(Proc.GATE, (v: number) => new Promise<number>((resolve) => gates.push(() => resolve(v)))),
    encode: (w, v) => void w.u32(v),
  });
  const v4: Procedure[] = [v2[Proc.NULL]!];
  return {
    program: {
      prog: TEST_PROG,
      name: 'TESTPROG',
      versions: new Map([
        [TEST_VERS, v2],
        [4, v4],
      ]),
    },
    runs,
    gates,
  };
}

/** Big-endian u32s as one buffer, for call arguments. */
export function u32s(...vals: number[]): Buffer {
  const b = Buffer.alloc(vals.length * 4);
  for (let i = 0; i < vals.length; i++) b.writeUInt32BE(vals[i]! >>> 0, i * 4);
  return b;
}
