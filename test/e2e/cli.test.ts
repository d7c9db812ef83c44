import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureGatewayBuilt,
  type GatewayProcess,
  runGateway,
  spawnGateway,
} from '../helpers/gateway-process';
import { libnfsUtilsPresent, nfsCat, nfsCp, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';

/**
 * The shipped binary, as an operator runs it: `upcall-gateway --port 0 …` announces its URL and
 * admin endpoint in the "upcall gateway ready" log line; libnfs mounts that URL; `get`/`set`
 * change options at run time; SIGHUP re-reads --config; bad input exits 2; SIGTERM stops it.
 */
describePeer('the upcall-gateway binary', 'libnfs-utils', libnfsUtilsPresent, () => {
  let dir: string;
  let exportDir: string;
  let configPath: string;
  let gw: GatewayProcess;
  let url: string;
  let adminPort: string;
  /** The options as the admin endpoint reports them (the `get` subcommand is tested once, below). */
  const get = async () =>
    (await (await fetch(`http://127.0.0.1:${adminPort}/options`)).json()) as Record<string, unknown>;

  beforeAll(async () => {
    ensureGatewayBuilt();
    dir = await mkdtemp(join(tmpdir(), 'upcall-e2e-cli-'));
    exportDir = join(dir, 'export');
    await mkdir(exportDir);
    await writeFile(join(exportDir, 'hello.txt'), 'hello from the binary\n');
    configPath = join(dir, 'gateway.json');
    await writeFile(configPath, JSON.stringify({ upcall: { 'features.cache-invalidation-timeout': 20 } }));
    gw = spawnGateway([
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--admin-port',
      '0',
      '--export',
      exportDir,
      '--config',
      configPath,
      '--cache-invalidation',
      'on',
    ]);
    const ready = await gw.line((l) => l.message === 'upcall gateway ready', 'the ready line', 20_000);
    url = String(ready.url);
    adminPort = String(ready.admin).replace(/^http:\/\/127\.0\.0\.1:/, '');
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the ready line names a URL libnfs mounts and an admin endpoint', async () => {
    expect(url).toMatch(/^nfs:\/\/127\.0\.0\.1\/export\?nfsport=\d+&mountport=\d+$/);
    expect(adminPort).toMatch(/^\d+$/);
    expect((await nfsLs(url)).map((e) => e.name)).toEqual(['hello.txt']);
    expect((await nfsCat(urlOf(url, '/hello.txt'))).toString()).toBe('hello from the binary\n');
  });

  test('get shows the options from file and flags; set changes the timeout at run time', async () => {
    const shown = await runGateway(['get', '--admin-port', adminPort]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({
      'features.cache-invalidation': true,
      'features.cache-invalidation-timeout': 20,
    });
    const set = await runGateway([
      'set',
      'features.cache-invalidation-timeout',
      '33',
      '--admin-port',
      adminPort,
    ]);
    expect(set.code).toBe(0);
    expect((await get())['features.cache-invalidation-timeout']).toBe(33);
    const bad = await runGateway([
      'set',
      'features.cache-invalidation-timeout',
      'soon',
      '--admin-port',
      adminPort,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/features\.cache-invalidation-timeout/);
    expect((await get())['features.cache-invalidation-timeout']).toBe(33);
  });

  test('SIGHUP re-reads --config; flags given on the command line still win', async () => {
    await writeFile(configPath, JSON.stringify({ upcall: { 'features.cache-invalidation-timeout': 45 } }));
    gw.child.kill('SIGHUP');
    await gw.line((l) => l.message === 'config reloaded', 'the reload line');
    expect(await get()).toEqual({
      'features.cache-invalidation': true,
      'features.cache-invalidation-timeout': 45,
    });
  });

  test('SIGHUP with a broken config file keeps the options and says why', async () => {
    await writeFile(
      configPath,
      JSON.stringify({ upcall: { 'features.cache-invalidation-timeout': 'never' } }),
    );
    gw.child.kill('SIGHUP');
    const refused = await gw.line((l) => l.message.startsWith('config reload refused'), 'the refusal line');
    expect(String(refused.error)).toMatch(/features\.cache-invalidation-timeout/);
    expect((await get())['features.cache-invalidation-timeout']).toBe(45);
    await nfsLs(url); // still serving
  });

  test.each([
    [['--port', 'abc'], /port must be a whole number/],
    [['--port', '70000'], /port: expected a TCP port number/],
    [['--cache-invalidation', 'maybe'], /features\.cache-invalidation.*on\/off/],
    [['--log-level', 'loud'], /Allowed choices/],
    [['--allow', '10.0.0.0/99'], /allowed: .*10\.0\.0\.0\/99/],
    [['--export', '/no/such/dir'], /not a directory/],
    [['--no-such-flag'], /unknown option/],
    [['--watch-pause', 'soon'], /watch-pause must be a whole number/],
    [['--watch-batch', '200'], /watchMaxBatchMs: must not be below watchBatchMs/],
    [['--watch-lease', '100'], /watchLeaseMs: expected whole ms between 300/],
    [['--watch-handover-hold', 'never'], /watch-handover-hold must be a whole number/],
  ])('bad input %j exits 2 with a clear message and no stack trace', async (args, message) => {
    const r = await runGateway(['--admin-port', '-1', '--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('SIGTERM stops it: exit 0 after "stopping", and the port is closed', async () => {
    const port = Number(/nfsport=(\d+)/.exec(url)![1]);
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(gw.lines.some((l) => l.message === 'stopping' && l.signal === 'SIGTERM')).toBe(true);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  test('with no --export it serves a fresh temporary export that a (root-squashed) client can use', async () => {
    const scratch = spawnGateway(['--port', '0', '--host', '127.0.0.1', '--admin-port', '-1']);
    try {
      const ready = await scratch.line((l) => l.message === 'upcall gateway ready', 'the ready line', 20_000);
      expect(ready.exportIsTemporary).toBe(true);
      const src = join(dir, 'put.txt');
      await writeFile(src, 'put through the scratch export\n');
      await nfsCp(src, urlOf(String(ready.url), '/put.txt'));
      expect((await nfsLs(String(ready.url))).map((e) => e.name)).toEqual(['put.txt']);
      expect((await nfsCat(urlOf(String(ready.url), '/put.txt'))).toString()).toBe(
        'put through the scratch export\n',
      );
    } finally {
      await scratch.stop();
    }
  });
});
