import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NFS_PROGRAM, NFS_V3 } from '../../gateway/nfs/nfs3-limits';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { libnfsUtilsPresent } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { ACCEPT_STAT, encodeCall, frameRecord, RpcClient } from '../helpers/rpc-client';
import { expectStillServed } from '../helpers/still-served';
import { waitFor } from '../helpers/wait-for';

/**
 * Broken record marking (RFC 5531 §11) from a client on a real socket, against a running head.
 * Each case must cost at most that one connection: the server frees it (connection count back
 * to where it was), keeps other connections going, and a libnfs client is served right after.
 */
describePeer('bad records over real sockets', 'libnfs-utils', libnfsUtilsPresent, () => {
  let t: TestHead;
  let bystander: RpcClient;
  const connections = () => t.head.nfs.server.connectionCount;
  const nullCall = (c: RpcClient) => c.call(NFS_PROGRAM, NFS_V3, 0);

  beforeAll(async () => {
    t = await startTestHead();
    await writeFile(join(t.dir, 'probe.txt'), 'still here\n');
    bystander = await RpcClient.connect(t.head.nfs.port);
    expect((await nullCall(bystander)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
  });
  afterAll(async () => {
    bystander?.destroy();
    await t?.close();
  });

  function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  async function expectOnlyThatConnectionLost(): Promise<void> {
    await waitFor(() => connections() === 1, 'only the bystander connection left');
    expect((await nullCall(bystander)).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    await expectStillServed(t.url, t.dir, 'probe.txt');
  }

  test('a truncated record, then disconnect: the connection is dropped, nothing else', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    await waitFor(() => connections() === 2, 'the server to accept');
    const rec = frameRecord(encodeCall(7, NFS_PROGRAM, NFS_V3, 1, Buffer.alloc(40)));
    c.sendRaw(rec.subarray(0, rec.length - 25));
    c.destroy();
    await expectOnlyThatConnectionLost();
  });

  test('an oversized record mark closes that connection before its body arrives', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    const mark = Buffer.alloc(8);
    mark.writeUInt32BE((0x80000000 | (64 << 20)) >>> 0, 0); // one 64 MiB fragment: over the cap
    c.sendRaw(mark);
    await within(c.closed, 5000, 'the server to hang up without waiting for 64 MiB');
    expect(c.unmatched).toEqual([]);
    await expectOnlyThatConnectionLost();
  });

  test('oversized by fragments: many small non-final fragments adding up past the cap', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    const frag = Buffer.alloc(4 + 64 * 1024);
    frag.writeUInt32BE(64 * 1024, 0); // not last
    for (let i = 0; i < 40 && !c.closedYet; i++) c.sendRaw(frag); // 2.5 MiB, never a last fragment
    await within(c.closed, 5000, 'the server to hang up past the record cap');
    await expectOnlyThatConnectionLost();
  });

  test('a client that disconnects mid-record (half a GETATTR) leaves no trace', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    const args = Buffer.alloc(4 + 64);
    args.writeUInt32BE(64, 0);
    const rec = frameRecord(encodeCall(9, NFS_PROGRAM, NFS_V3, 1, args));
    c.sendRaw(rec.subarray(0, 30));
    await new Promise((r) => setImmediate(r));
    c.destroy();
    await expectOnlyThatConnectionLost();
  });

  test('a complete record that is no RPC call (a REPLY, then noise) costs only that connection', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    const reply = Buffer.alloc(24);
    reply.writeUInt32BE(1, 4); // msg_type REPLY
    c.sendRaw(frameRecord(reply));
    c.sendRaw(frameRecord(Buffer.from('this is not XDR at all, just text.')));
    const served = await nullCall(c).then(
      (r) => r.acceptStat,
      () => 'closed',
    );
    // Either answer is sound: drop the junk and serve on, or close this connection.
    expect([ACCEPT_STAT.SUCCESS, 'closed']).toContain(served);
    c.destroy();
    await expectOnlyThatConnectionLost();
  });

  test('a half-close after a complete call still gets its reply', async () => {
    const c = await RpcClient.connect(t.head.nfs.port);
    const reply = c.expect(4242);
    c.sendRaw(frameRecord(encodeCall(4242, NFS_PROGRAM, NFS_V3, 0)));
    const closing = c.close(); // FIN right behind the call
    expect((await reply).acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    await closing;
    await expectOnlyThatConnectionLost();
  });
});
