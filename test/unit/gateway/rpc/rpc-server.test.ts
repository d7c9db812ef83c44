import { RpcServer } from '../../../../gateway/rpc/rpc-server';
import { createXdrReader } from '../../../../gateway/rpc/xdr-reader';
import { captureLogger } from '../../../helpers/log-capture';
import {
  ACCEPT_STAT,
  AUTH_STAT,
  authSys,
  encodeCall,
  frameRecord,
  REJECT_STAT,
  RpcClient,
} from '../../../helpers/rpc-client';
import {
  createTestProgram,
  Proc,
  TEST_PROG,
  TEST_VERS,
  type TestProgram,
  u32s,
} from '../../../helpers/rpc-test-program';

describe('RpcServer over TCP (RFC 5531)', () => {
  let server: RpcServer;
  let port: number;
  let client: RpcClient;
  let prog: TestProgram;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    const cap = captureLogger('info');
    lines = cap.lines;
    prog = createTestProgram();
    server = new RpcServer({ logger: cap.logger }).register(prog.program);
    port = (await server.listen(0, '127.0.0.1')).port;
    client = await RpcClient.connect(port);
  });

  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  test('NULL answers SUCCESS with an empty body and an AUTH_NONE verifier', async () => {
    const reply = await client.call(TEST_PROG, TEST_VERS, Proc.NULL);
    expect(reply).toMatchObject({ replyStat: 0, acceptStat: ACCEPT_STAT.SUCCESS });
    expect(reply.body.length).toBe(0);
    expect(reply.verifier).toEqual({ flavor: 0, body: Buffer.alloc(0) });
    expect(prog.runs[Proc.NULL]).toBe(1);
  });

  test('a procedure gets its arguments and its results come back', async () => {
    const data = Buffer.from('hello, rpc');
    const args = Buffer.concat([u32s(data.length), data, Buffer.alloc(2)]);
    const reply = await client.call(TEST_PROG, TEST_VERS, Proc.ECHO, args);
    expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    expect(createXdrReader(reply.body).opaque(100).toString()).toBe('hello, rpc');
  });

  test('many outstanding calls on one connection are each answered with their own xid and value', async () => {
    const calls = Array.from({ length: 300 }, (_, i) =>
      client.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s((i * 7) % 13, 1000 + i)).then((r) => ({ i, r })),
    );
    const results = await Promise.all(calls);
    for (const { i, r } of results) {
      expect(r.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
      expect(r.body.readUInt32BE(0)).toBe(1000 + i);
    }
    expect(new Set(results.map(({ r }) => r.xid)).size).toBe(300);
    expect(client.unmatched).toHaveLength(0);
  });

  test('replies leave in completion order, not call order', async () => {
    const order: number[] = [];
    const slow = client.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s(150, 1)).then(() => order.push(1));
    const fast = client.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s(0, 2)).then(() => order.push(2));
    const sync = client.call(TEST_PROG, TEST_VERS, Proc.NULL).then(() => order.push(3));
    await Promise.all([slow, fast, sync]);
    expect(order).toEqual([3, 2, 1]);
  });

  test('calls sent in one write, and a call split into fragments, are all answered', async () => {
    const xids = [client.allocXid(), client.allocXid(), client.allocXid()];
    const replies = xids.map((x) => client.expect(x));
    const echo = Buffer.concat([u32s(3), Buffer.from('abc\0')]);
    client.sendRaw(
      Buffer.concat([
        frameRecord(encodeCall(xids[0]!, TEST_PROG, TEST_VERS, Proc.NULL)),
        frameRecord(encodeCall(xids[1]!, TEST_PROG, TEST_VERS, Proc.ECHO, echo), [5, 20, 23]),
        frameRecord(encodeCall(xids[2]!, TEST_PROG, TEST_VERS, Proc.NULL)),
      ]),
    );
    const got = await Promise.all(replies);
    expect(got.map((r) => r.acceptStat)).toEqual([0, 0, 0]);
    expect(createXdrReader(got[1]!.body).opaque(10).toString()).toBe('abc');
  });

  test('a client that half-closes after sending still gets every reply, then the server closes', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      client.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s(i % 5 === 0 ? 30 : 0, i)),
    );
    await client.close(); // FIN right after the calls; resolves once the server closed too
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.body.readUInt32BE(0))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('an unknown program gets PROG_UNAVAIL', async () => {
    const reply = await client.call(TEST_PROG + 1, 1, 0);
    expect(reply.acceptStat).toBe(ACCEPT_STAT.PROG_UNAVAIL);
  });

  test('an unserved version gets PROG_MISMATCH with the lowest and highest served', async () => {
    for (const vers of [1, 3, 5]) {
      const reply = await client.call(TEST_PROG, vers, 0);
      expect(reply.acceptStat).toBe(ACCEPT_STAT.PROG_MISMATCH);
      expect(reply.mismatch).toEqual({ low: 2, high: 4 });
    }
    expect((await client.call(TEST_PROG, 4, 0)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
  });

  test('an unknown procedure number gets PROC_UNAVAIL (a hole, past the end, 2^32-1)', async () => {
    for (const p of [Proc.HOLE, 11, 1000, 0xffffffff]) {
      expect((await client.call(TEST_PROG, TEST_VERS, p)).acceptStat).toBe(ACCEPT_STAT.PROC_UNAVAIL);
    }
    expect((await client.call(TEST_PROG, 4, Proc.ECHO)).acceptStat).toBe(ACCEPT_STAT.PROC_UNAVAIL);
  });

  test('undecodable arguments get GARBAGE_ARGS and a log line; the procedure never runs', async () => {
    const truncated = await client.call(TEST_PROG, TEST_VERS, Proc.ECHO, u32s(8, 1));
    const overMax = await client.call(TEST_PROG, TEST_VERS, Proc.ECHO, u32s(5000));
    const missing = await client.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s(1));
    for (const r of [truncated, overMax, missing]) expect(r.acceptStat).toBe(ACCEPT_STAT.GARBAGE_ARGS);
    expect(prog.runs[Proc.ECHO]).toBe(0);
    expect(prog.runs[Proc.DELAY]).toBe(0);
    const logged = lines.filter((l) => String(l.message).includes('GARBAGE_ARGS'));
    expect(logged.map((l) => [l.level, l.xid, l.procedure])).toEqual([
      ['warn', truncated.xid, 'ECHO'],
      ['warn', overMax.xid, 'ECHO'],
      ['warn', missing.xid, 'DELAY'],
    ]);
    expect(logged[1]!.cause).toMatch(/XdrError: opaque of 5000 bytes exceeds its maximum of 1024/);
  });

  test('a procedure that throws, rejects or fails to encode gets SYSTEM_ERR and logs xid, program, procedure, client, cause', async () => {
    const thrown = await client.call(TEST_PROG, TEST_VERS, Proc.THROW);
    const rejected = await client.call(TEST_PROG, TEST_VERS, Proc.REJECT);
    const badEncode = await client.call(TEST_PROG, TEST_VERS, Proc.BAD_ENCODE);
    for (const r of [thrown, rejected, badEncode]) {
      expect(r.acceptStat).toBe(ACCEPT_STAT.SYSTEM_ERR);
      expect(r.body.length).toBe(0); // the half-encoded results were rolled back
    }
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({
      xid: thrown.xid,
      prog: TEST_PROG,
      program: 'TESTPROG',
      procedure: 'THROW',
      client: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      cause: 'Error: boom (sync)',
    });
    expect(errors[1]).toMatchObject({ xid: rejected.xid, procedure: 'REJECT', cause: 'Error: boom (async)' });
    expect(errors[2]).toMatchObject({ xid: badEncode.xid, procedure: 'BAD_ENCODE' });
    // The connection is still fine.
    expect((await client.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
  });

  test('AUTH_SYS credentials reach the procedure as ctx.auth; AUTH_NONE as null', async () => {
    const cred = authSys({ uid: 1000, gid: 1001, gids: [4, 27, 1001], machine: 'client-7', stamp: 99 });
    const reply = await client.call(TEST_PROG, TEST_VERS, Proc.WHOAMI, undefined, cred);
    const r = createXdrReader(reply.body);
    expect(r.u32()).toBe(reply.xid);
    expect(r.bool()).toBe(true);
    expect([r.u32(), r.string(255), r.u32(), r.u32()]).toEqual([99, 'client-7', 1000, 1001]);
    expect([r.u32(), r.u32(), r.u32(), r.u32()]).toEqual([3, 4, 27, 1001]);
    expect(r.string(100)).toBe('127.0.0.1');
    const none = createXdrReader((await client.call(TEST_PROG, TEST_VERS, Proc.WHOAMI)).body);
    none.u32();
    expect(none.bool()).toBe(false);
  });

  test('an unsupported auth flavor is denied with AUTH_ERROR / AUTH_BADCRED and never dispatched', async () => {
    const reply = await client.call(TEST_PROG, TEST_VERS, Proc.NULL, undefined, {
      flavor: 6,
      body: Buffer.alloc(8),
    });
    expect(reply).toMatchObject({
      replyStat: 1,
      rejectStat: REJECT_STAT.AUTH_ERROR,
      authStat: AUTH_STAT.AUTH_BADCRED,
    });
    const short = await client.call(TEST_PROG, TEST_VERS, Proc.NULL, undefined, {
      flavor: 2,
      body: Buffer.alloc(8),
    });
    expect(short.authStat).toBe(AUTH_STAT.AUTH_REJECTEDCRED);
    expect(prog.runs[Proc.NULL]).toBe(0);
  });

  test('a procedure refusing the credentials (AuthError) gets AUTH_ERROR with its auth_stat', async () => {
    const refused = await client.call(TEST_PROG, TEST_VERS, Proc.NEEDS_AUTH_SYS);
    expect(refused).toMatchObject({
      replyStat: 1,
      rejectStat: REJECT_STAT.AUTH_ERROR,
      authStat: AUTH_STAT.AUTH_TOOWEAK,
    });
    const ok = await client.call(
      TEST_PROG,
      TEST_VERS,
      Proc.NEEDS_AUTH_SYS,
      undefined,
      authSys({ uid: 1, gid: 1 }),
    );
    expect(ok.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
  });

  test('rpcvers 3 is denied with RPC_MISMATCH 2..2', async () => {
    const reply = await client.call(TEST_PROG, TEST_VERS, Proc.NULL, undefined, undefined, { rpcvers: 3 });
    expect(reply).toMatchObject({
      replyStat: 1,
      rejectStat: REJECT_STAT.RPC_MISMATCH,
      mismatch: { low: 2, high: 2 },
    });
    expect(prog.runs[Proc.NULL]).toBe(0);
  });

  test('a record that is not a CALL, or too short to be one, is dropped without a reply', async () => {
    const reply = encodeCall(client.allocXid(), TEST_PROG, TEST_VERS, Proc.NULL);
    reply.writeUInt32BE(1, 4); // msg_type REPLY
    client.sendRaw(
      Buffer.concat([frameRecord(reply), frameRecord(Buffer.alloc(6)), frameRecord(Buffer.alloc(0))]),
    );
    const after = await client.call(TEST_PROG, TEST_VERS, Proc.NULL);
    expect(after.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    expect(client.unmatched).toHaveLength(0);
    expect(prog.runs[Proc.NULL]).toBe(1);
  });

  test('register refuses a program number twice and a program without versions', () => {
    expect(() => server.register(createTestProgram().program)).toThrow(/already registered/);
    expect(() => server.register({ prog: 1, name: 'EMPTY', versions: new Map() })).toThrow(/no versions/);
    expect(server.hasProgram(TEST_PROG, 4)).toBe(true);
    expect(server.hasProgram(TEST_PROG, 3)).toBe(false);
    expect(server.programs()).toEqual([
      { prog: TEST_PROG, vers: 2 },
      { prog: TEST_PROG, vers: 4 },
    ]);
  });

  test('address() reports the bound port; listen twice is refused; close() ends client connections', async () => {
    expect(server.address()?.port).toBe(port);
    await expect(server.listen(0)).rejects.toThrow(/already listening/);
    await server.close();
    await client.closed;
    expect(server.address()).toBeNull();
  });
});
