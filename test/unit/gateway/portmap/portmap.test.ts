import { createPortmapProgram, PMAP_PROG, PMAP_VERS, PmapProc } from '../../../../gateway/portmap';
import { RpcServer } from '../../../../gateway/rpc/rpc-server';
import { createXdrReader } from '../../../../gateway/rpc/xdr-reader';
import { ACCEPT_STAT, RpcClient } from '../../../helpers/rpc-client';
import { createTestProgram, TEST_PROG, u32s } from '../../../helpers/rpc-test-program';

/** PORTMAP v2 (RFC 1833 §3) served on the RPC server's own port. */
describe('PORTMAP v2 on the RpcServer port', () => {
  let server: RpcServer;
  let port: number;
  let client: RpcClient;

  beforeAll(async () => {
    server = new RpcServer();
    server.register(createTestProgram().program).register(createPortmapProgram(server));
    port = (await server.listen()).port;
    client = await RpcClient.connect(port);
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  async function getport(prog: number, vers: number, prot: number): Promise<number> {
    const reply = await client.call(
      PMAP_PROG,
      PMAP_VERS,
      PmapProc.PMAPPROC_GETPORT,
      u32s(prog, vers, prot, 0),
    );
    expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    expect(reply.body.length).toBe(4);
    return reply.body.readUInt32BE(0);
  }

  test('NULL answers', async () => {
    const reply = await client.call(PMAP_PROG, PMAP_VERS, PmapProc.PMAPPROC_NULL);
    expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
    expect(reply.body.length).toBe(0);
  });

  test('GETPORT gives this server port for a served program and version over TCP (§3.2)', async () => {
    expect(await getport(TEST_PROG, 2, 6)).toBe(port);
    expect(await getport(TEST_PROG, 4, 6)).toBe(port);
    expect(await getport(PMAP_PROG, PMAP_VERS, 6)).toBe(port);
  });

  test('GETPORT gives 0 for an unserved version, program, or UDP (§3.2)', async () => {
    expect(await getport(TEST_PROG, 3, 6)).toBe(0);
    expect(await getport(100003, 3, 6)).toBe(0);
    expect(await getport(TEST_PROG, 2, 17)).toBe(0);
  });

  test('GETPORT with truncated arguments is GARBAGE_ARGS', async () => {
    const reply = await client.call(PMAP_PROG, PMAP_VERS, PmapProc.PMAPPROC_GETPORT, u32s(TEST_PROG, 2));
    expect(reply.acceptStat).toBe(ACCEPT_STAT.GARBAGE_ARGS);
  });

  test('DUMP lists every served (program, version) over TCP on this port', async () => {
    const reply = await client.call(PMAP_PROG, PMAP_VERS, PmapProc.PMAPPROC_DUMP);
    const r = createXdrReader(reply.body);
    const got: number[][] = [];
    while (r.bool()) got.push([r.u32(), r.u32(), r.u32(), r.u32()]);
    expect(r.remaining).toBe(0);
    expect(got).toEqual([
      [PMAP_PROG, 2, 6, port],
      [TEST_PROG, 2, 6, port],
      [TEST_PROG, 4, 6, port],
    ]);
  });

  test('SET and UNSET are refused (FALSE); CALLIT is PROC_UNAVAIL', async () => {
    for (const proc of [PmapProc.PMAPPROC_SET, PmapProc.PMAPPROC_UNSET]) {
      const reply = await client.call(PMAP_PROG, PMAP_VERS, proc, u32s(400000, 1, 6, 999));
      expect(reply.acceptStat).toBe(ACCEPT_STAT.SUCCESS);
      expect(reply.body.readUInt32BE(0)).toBe(0);
    }
    expect(await getport(400000, 1, 6)).toBe(0);
    const callit = await client.call(PMAP_PROG, PMAP_VERS, PmapProc.PMAPPROC_CALLIT, u32s(1, 1, 0, 0));
    expect(callit.acceptStat).toBe(ACCEPT_STAT.PROC_UNAVAIL);
  });

  test('versions 3 and 4 (rpcbind) get PROG_MISMATCH 2..2, so clients fall back to v2', async () => {
    const reply = await client.call(PMAP_PROG, 4, 0);
    expect(reply.acceptStat).toBe(ACCEPT_STAT.PROG_MISMATCH);
    expect(reply.mismatch).toEqual({ low: 2, high: 2 });
  });
});
