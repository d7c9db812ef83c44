import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPortmapProgram, PMAP_PROG } from '../../gateway/portmap';
import { RpcServer } from '../../gateway/rpc/rpc-server';
import { describePeer, hasCommand } from '../helpers/peers';
import { createTestProgram, TEST_PROG } from '../helpers/rpc-test-program';

/**
 * A real, independent RPC client — libnfs's raw PORTMAP v2 calls, with its own XDR and AUTH_UNIX
 * credentials — against our record marking, call decoding, reply headers and PORTMAP.
 */
const run = promisify(execFile);
const available = hasCommand('gcc') && existsSync('/usr/include/nfsc/libnfs-raw-portmap.h');

describePeer('PORTMAP with a real client (libnfs)', 'gcc + libnfs-dev', available, () => {
  let dir: string;
  let probe: string;
  let server: RpcServer;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upcall-pmap-'));
    probe = join(dir, 'pmap-probe');
    execFileSync('gcc', ['-O1', '-o', probe, join(__dirname, 'peers/libnfs-pmap-probe.c'), '-lnfs']);
    server = new RpcServer();
    server.register(createTestProgram().program).register(createPortmapProgram(server));
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('NULL, GETPORT and DUMP answer libnfs with this server port', async () => {
    const queries = [
      [PMAP_PROG, 2, 6],
      [TEST_PROG, 2, 6],
      [TEST_PROG, 3, 6],
      [TEST_PROG, 2, 17],
    ];
    const { stdout } = await run(probe, [String(port), ...queries.flat().map(String)], { timeout: 15000 });
    expect(stdout.trim().split('\n')).toEqual([
      'null ok',
      `getport ${PMAP_PROG} 2 6 = ${port}`,
      `getport ${TEST_PROG} 2 6 = ${port}`,
      `getport ${TEST_PROG} 3 6 = 0`,
      `getport ${TEST_PROG} 2 17 = 0`,
      `dump ${PMAP_PROG} 2 6 ${port}`,
      `dump ${TEST_PROG} 2 6 ${port}`,
      `dump ${TEST_PROG} 4 6 ${port}`,
    ]);
  });
});
