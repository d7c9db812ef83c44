import { RpcServer } from '../../../../gateway/rpc/rpc-server';
import { ACCEPT_STAT, RpcClient } from '../../../helpers/rpc-client';
import { createTestProgram, Proc, TEST_PROG, TEST_VERS, u32s } from '../../../helpers/rpc-test-program';
import { sleep, waitFor } from '../../../helpers/wait-for';

/**
 * Flow control: a connection takes new calls only while its in-flight calls are under the caps
 * and its socket is not congested. Reveals an unbounded queue (every call starts at once) or a
 * stall (calls never resume once the cap was hit).
 */
describe('RpcServer flow control per connection', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await server?.close();
  });

  test('no more than maxOutstandingPerConnection calls run at once; the rest start as slots free up', async () => {
    const prog = createTestProgram();
    server = new RpcServer({ maxOutstandingPerConnection: 4 }).register(prog.program);
    const { port } = await server.listen();
    client = await RpcClient.connect(port);
    const c = client;
    const replies = Array.from({ length: 10 }, (_, i) => c.call(TEST_PROG, TEST_VERS, Proc.GATE, u32s(i)));
    await waitFor(() => prog.runs[Proc.GATE] === 4, 'four GATE calls to start');
    await sleep(100);
    expect(prog.runs[Proc.GATE]).toBe(4);
    prog.gates.shift()!();
    await waitFor(() => prog.runs[Proc.GATE] === 5, 'a fifth call once one finished');
    await sleep(50);
    expect(prog.runs[Proc.GATE]).toBe(5);
    while (prog.runs[Proc.GATE]! < 10 || prog.gates.length > 0) {
      if (prog.gates.length > 0) prog.gates.shift()!();
      else await sleep(5);
    }
    const got = await Promise.all(replies);
    expect(got.map((r) => r.body.readUInt32BE(0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('the byte budget of in-flight call records also stops reading', async () => {
    const prog = createTestProgram();
    // A GATE call record is 44 bytes: 0, 44, 88, 132, 176 < 200 → five calls start, then none.
    server = new RpcServer({ maxOutstandingBytesPerConnection: 200 }).register(prog.program);
    const { port } = await server.listen();
    client = await RpcClient.connect(port);
    const c = client;
    const replies = Array.from({ length: 8 }, (_, i) => c.call(TEST_PROG, TEST_VERS, Proc.GATE, u32s(i)));
    await waitFor(() => prog.runs[Proc.GATE] === 5, 'five GATE calls to start');
    await sleep(100);
    expect(prog.runs[Proc.GATE]).toBe(5);
    for (;;) {
      if (prog.gates.length > 0) prog.gates.shift()!();
      else if (prog.runs[Proc.GATE] === 8) break;
      else await sleep(5);
    }
    expect((await Promise.all(replies)).every((r) => r.acceptStat === ACCEPT_STAT.SUCCESS)).toBe(true);
  });

  test('a client that stops reading replies stops the server taking its calls (write backpressure)', async () => {
    const prog = createTestProgram();
    server = new RpcServer().register(prog.program);
    const { port } = await server.listen();
    client = await RpcClient.connect(port);
    const c = client;
    c.pauseReading(true);
    const n = 300;
    const size = 256 * 1024; // 75 MiB of replies in all: far more than the socket buffers hold
    const replies = Array.from({ length: n }, () =>
      c.call(TEST_PROG, TEST_VERS, Proc.BIG, u32s(size), undefined, { timeoutMs: 20000 }),
    );
    await waitFor(() => prog.runs[Proc.BIG]! > 0, 'the first BIG call');
    await sleep(400);
    const ranWhilePaused = prog.runs[Proc.BIG]!;
    expect(ranWhilePaused).toBeLessThan(n / 2);
    c.pauseReading(false);
    const got = await Promise.all(replies);
    expect(got.every((r) => r.acceptStat === ACCEPT_STAT.SUCCESS && r.body.length === 4 + size)).toBe(true);
    expect(prog.runs[Proc.BIG]).toBe(n);
  }, 30000);
});
