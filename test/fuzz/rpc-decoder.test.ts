import fc from 'fast-check';
import { createPortmapProgram, PMAP_PROG } from '../../gateway/portmap';
import { AuthSysCache } from '../../gateway/rpc/auth-sys';
import { CallDeniedError, CallDroppedError, FramingError, XdrError } from '../../gateway/rpc/errors';
import { RecordDecoder } from '../../gateway/rpc/record-marking';
import { decodeCallHeader } from '../../gateway/rpc/rpc-message';
import { RpcServer } from '../../gateway/rpc/rpc-server';
import { createXdrReader } from '../../gateway/rpc/xdr-reader';
import { ACCEPT_STAT, AUTH_NONE, authSys, encodeCall, frameRecord, RpcClient } from '../helpers/rpc-client';
import { createTestProgram, TEST_PROG, TEST_VERS, u32s } from '../helpers/rpc-test-program';

/**
 * Fuzzing the RPC input path with random and mutated records, in bounded time. The properties:
 * decoding only ever throws the layer's typed errors; the server never crashes, answers or
 * drops every framed record, and keeps serving a well-behaved client on the side.
 */

const prog = createTestProgram();

const cred = fc.oneof(
  fc.constant(AUTH_NONE),
  fc
    .record({
      uid: fc.nat({ max: 0xffffffff }),
      gid: fc.nat({ max: 0xffffffff }),
      gids: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 18 }),
      machine: fc.string({ maxLength: 20 }),
    })
    .map(authSys),
  fc.record({
    flavor: fc.nat({ max: 7 }),
    body: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  }),
);

/** Plausible calls: real programs and procedures, args that are sometimes right. */
const validCall = fc
  .record({
    xid: fc.nat({ max: 0xffffffff }),
    prog: fc.constantFrom(TEST_PROG, PMAP_PROG, 100003, 0),
    vers: fc.constantFrom(TEST_VERS, 2, 3, 4),
    proc: fc.integer({ min: 0, max: 12 }),
    args: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.tuple(fc.nat({ max: 20 }), fc.nat()).map(([ms, v]) => u32s(ms, v)),
      fc
        .tuple(fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 40 }))
        .map(([n, b]) => Buffer.concat([u32s(n), b])),
    ),
    cred,
  })
  .map((c) => encodeCall(c.xid, c.prog, c.vers, c.proc, c.args, c.cred));

type Mutation = { at: number; kind: 'flip' | 'set' | 'cut' | 'insert'; value: number };
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('flip', 'set', 'cut', 'insert'),
  value: fc.nat({ max: 0xffffffff }),
});

function mutate(rec: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(rec);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] = b[at]! ^ (1 << (m.value % 8));
    else if (m.kind === 'set' && at + 4 <= b.length) b.writeUInt32BE(m.value, at - (at % 4));
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), u32s(m.value), b.subarray(at)]);
  }
  return b;
}

const mutatedCall = fc
  .tuple(validCall, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([c, m]) => mutate(c, m));
const anyRecordBody = fc.oneof(
  validCall,
  mutatedCall,
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b)),
);

/** Only these may escape decoding; anything else is a bug. */
function isTyped(err: unknown): boolean {
  return (
    err instanceof XdrError ||
    err instanceof FramingError ||
    err instanceof CallDroppedError ||
    err instanceof CallDeniedError
  );
}

describe('fuzz: RPC decoding pipeline', () => {
  test('record decoding, call headers and argument decoders only throw typed errors', () => {
    const procedures = prog.program.versions.get(TEST_VERS)!;
    fc.assert(
      fc.property(
        fc.array(anyRecordBody, { maxLength: 8 }),
        fc.uint8Array({ maxLength: 64 }),
        (bodies, noise) => {
          const stream = Buffer.concat([...bodies.map((b) => frameRecord(b)), Buffer.from(noise)]);
          const decoder = new RecordDecoder({ maxRecordSize: 4096, maxFragments: 8 });
          decoder.push(stream);
          const cache = new AuthSysCache();
          try {
            for (let rec = decoder.next(); rec !== null; rec = decoder.next()) {
              const r = createXdrReader(rec);
              try {
                const header = decodeCallHeader(r, {
                  remoteAddress: 'fuzz',
                  remotePort: 1,
                  authCache: cache,
                });
                procedures[header.proc]?.decode(r);
              } catch (err) {
                if (!isTyped(err)) throw err;
              }
            }
          } catch (err) {
            if (!isTyped(err)) throw err;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: RpcServer over TCP', () => {
  let server: RpcServer;
  let port: number;
  let good: RpcClient;

  beforeAll(async () => {
    server = new RpcServer({ maxRecordSize: 64 * 1024, maxFragments: 16, maxOutstandingPerConnection: 8 });
    server.register(prog.program).register(createPortmapProgram(server));
    port = (await server.listen()).port;
    good = await RpcClient.connect(port);
  });
  afterAll(async () => {
    for (const g of prog.gates.splice(0)) g();
    good.destroy();
    await server.close();
  });

  async function goodClientServed(): Promise<void> {
    const reply = await good.call(TEST_PROG, TEST_VERS, 0, undefined, undefined, { timeoutMs: 2000 });
    expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
  }

  test('framed random and mutated calls: every connection keeps working, and so does the good client', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyRecordBody, { minLength: 1, maxLength: 6 }), async (bodies) => {
        const c = await RpcClient.connect(port);
        try {
          // Framing intact: whatever the bodies held, a NULL sent after them is answered.
          c.sendRaw(Buffer.concat(bodies.map((b) => frameRecord(b))));
          const after = await c.call(TEST_PROG, TEST_VERS, 0, undefined, undefined, { timeoutMs: 2000 });
          expect(after.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
        } finally {
          for (const g of prog.gates.splice(0)) g();
          c.destroy();
        }
      }),
      { numRuns: 400, interruptAfterTimeLimit: 4000 },
    );
    await goodClientServed();
  }, 15000);

  test('raw byte streams in random chunks: the server survives and the good client is still served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 80 }),
            mutatedCall.map((b) => frameRecord(b).subarray(0, 60)),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.boolean(),
        async (chunks, endGracefully) => {
          const c = await RpcClient.connect(port);
          for (const chunk of chunks) c.sendRaw(Buffer.from(chunk));
          if (endGracefully) await Promise.race([c.close(), new Promise((r) => setTimeout(r, 50))]);
          c.destroy();
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 3000 },
    );
    for (const g of prog.gates.splice(0)) g();
    await goodClientServed();
    // Every fuzz connection is gone; only the good client's remains.
    const until = Date.now() + 2000;
    while (server.connectionCount > 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(server.connectionCount).toBe(1);
  }, 15000);
});
