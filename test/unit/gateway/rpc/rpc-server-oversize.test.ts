import { DEFAULT_MAX_RECORD_SIZE } from '../../../../gateway/rpc/record-marking';
import { RpcServer } from '../../../../gateway/rpc/rpc-server';
import { captureLogger } from '../../../helpers/log-capture';
import { ACCEPT_STAT, encodeCall, frameRecord, RpcClient } from '../../../helpers/rpc-client';
import { createTestProgram, Proc, TEST_PROG, TEST_VERS } from '../../../helpers/rpc-test-program';
import { waitFor } from '../../../helpers/wait-for';

/**
 * Fault: a record bigger than the bound, or split into too many fragments. Reveals a server that
 * buffers whatever a length field claims (nfsserve's uncapped reads), or one that punishes every
 * client for one bad one.
 */
describe('an oversized record', () => {
  let server: RpcServer;
  let port: number;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    const cap = captureLogger();
    lines = cap.lines;
    server = new RpcServer({ logger: cap.logger, maxFragments: 4 }).register(createTestProgram().program);
    port = (await server.listen()).port;
  });
  afterEach(() => server.close());

  test('closes only that connection, on its mark alone, with a log line', async () => {
    const good = await RpcClient.connect(port);
    const bad = await RpcClient.connect(port);
    const mark = Buffer.alloc(4);
    mark.writeUInt32BE((0x80000000 | (DEFAULT_MAX_RECORD_SIZE + 1)) >>> 0);
    bad.sendRaw(mark); // no body at all: the bound must apply before it arrives
    await bad.closed;
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        client: expect.stringMatching(/^127\.0\.0\.1:/),
        cause: expect.stringContaining('RecordTooLargeError'),
      }),
    );
    expect((await good.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    await waitFor(() => server.connectionCount === 1, 'only the good connection left');
    good.destroy();
  });

  test('a record of exactly the maximum is still served', async () => {
    const c = await RpcClient.connect(port);
    const call = encodeCall(c.allocXid(), TEST_PROG, TEST_VERS, Proc.NULL);
    // NULL ignores trailing argument bytes; pad the call to the exact bound.
    const padded = Buffer.concat([call, Buffer.alloc(DEFAULT_MAX_RECORD_SIZE - call.length)]);
    const reply = c.expect(call.readUInt32BE(0));
    c.sendRaw(frameRecord(padded));
    expect((await reply).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    c.destroy();
  });

  test('too many fragments close that connection too', async () => {
    const good = await RpcClient.connect(port);
    const bad = await RpcClient.connect(port);
    const call = encodeCall(bad.allocXid(), TEST_PROG, TEST_VERS, Proc.NULL);
    bad.sendRaw(frameRecord(call, [8, 8, 8, 8, call.length - 32])); // five fragments, four allowed
    await bad.closed;
    expect(lines.some((l) => String(l.cause).includes('TooManyFragmentsError'))).toBe(true);
    expect((await good.call(TEST_PROG, TEST_VERS, Proc.NULL)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    good.destroy();
  });
});
