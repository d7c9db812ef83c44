import { RpcServer } from '../../../../gateway/rpc/rpc-server';
import { ACCEPT_STAT, encodeCall, frameRecord, RpcClient } from '../../../helpers/rpc-client';
import { createTestProgram, Proc, TEST_PROG, TEST_VERS, u32s } from '../../../helpers/rpc-test-program';
import { waitFor } from '../../../helpers/wait-for';

/**
 * Fault: a client leaves halfway through a record, or with calls still running. Reveals state
 * shared between connections, a crash when a late reply meets a closed socket, or a leaked
 * connection entry.
 */
describe('a client that disconnects mid-record', () => {
  let server: RpcServer;
  let port: number;
  const prog = createTestProgram();

  beforeAll(async () => {
    server = new RpcServer({ maxOutstandingPerConnection: 8 }).register(prog.program);
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    for (const g of prog.gates.splice(0)) g();
    await server.close();
  });

  test('does not disturb another client, which is served before, during and after', async () => {
    const good = await RpcClient.connect(port);
    const bad = await RpcClient.connect(port);
    await waitFor(() => server.connectionCount === 2, 'two connections');
    expect((await good.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);

    // Half a record: the mark promises 40+ bytes, 17 arrive (mark, then part of the header).
    const whole = frameRecord(encodeCall(bad.allocXid(), TEST_PROG, TEST_VERS, Proc.NULL));
    bad.sendRaw(whole.subarray(0, 17));
    expect((await good.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    bad.destroy();
    await bad.closed;
    await waitFor(() => server.connectionCount === 1, 'the bad connection to be forgotten');

    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => good.call(TEST_PROG, TEST_VERS, Proc.DELAY, u32s(1, i))),
    );
    expect(replies.map((r) => r.body.readUInt32BE(0))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    good.destroy();
  });

  test('calls still running when their client leaves finish into nothing, then the connection is released', async () => {
    const good = await RpcClient.connect(port);
    const leaver = await RpcClient.connect(port);
    const before = prog.runs[Proc.GATE]!;
    // Eight calls run (the cap), two wait behind them, and a partial record trails.
    for (let i = 0; i < 10; i++) void leaver.call(TEST_PROG, TEST_VERS, Proc.GATE, u32s(i)).catch(() => {});
    leaver.sendRaw(
      frameRecord(encodeCall(leaver.allocXid(), TEST_PROG, TEST_VERS, Proc.NULL)).subarray(0, 9),
    );
    await waitFor(() => prog.runs[Proc.GATE] === before + 8, 'eight GATE calls running');
    leaver.destroy();
    await leaver.closed;
    // A FIN may be a half-close, so the server finishes what was sent; late replies meet a gone peer.
    const until = Date.now() + 3000;
    while (server.connectionCount > 1 && Date.now() < until) {
      for (const g of prog.gates.splice(0)) g();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.connectionCount).toBe(1);
    expect(prog.runs[Proc.GATE]).toBe(before + 10);
    expect((await good.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    good.destroy();
  });
});
