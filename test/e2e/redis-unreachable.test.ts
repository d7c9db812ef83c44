import { ensureGatewayBuilt, runGateway } from '../helpers/gateway-process';
import { freshExport, headArgs } from '../helpers/heads';
import { freePort } from '../helpers/private-redis';

/**
 * Fault: Redis cannot be reached when a head starts. Reveals whether the head refuses to start
 * with a message that names the problem (and exits 2, like every other bad configuration),
 * instead of serving with a cache nobody will ever invalidate.
 */
describe('a head whose Redis is unreachable at start', () => {
  test('exits 2 and says which Redis it could not reach', async () => {
    ensureGatewayBuilt();
    const exp = await freshExport();
    try {
      const url = `redis://127.0.0.1:${await freePort()}`;
      const started = Date.now();
      const r = await runGateway(headArgs({ headId: 'lonely', exportPath: exp.dir, redisUrl: url }));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot reach Redis at ${url}`);
      expect(r.stderr).toMatch(/ECONNREFUSED/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await exp.remove();
    }
  });

  test('a malformed --redis is a configuration error', async () => {
    ensureGatewayBuilt();
    const r = await runGateway(['--port', '0', '--redis', 'localhost:6379']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('redisUrl: expected redis://host:port');
  });
});
