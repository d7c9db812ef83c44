/**
 * Connection limits over real sockets (connection-limits.ts): admission past maxConnections,
 * the unauthenticated-connection timeout, and the idle timeout that spares connections holding
 * open files. Small real timeouts (hundreds of ms) keep it quick.
 */
import { connect, type Socket } from 'node:net';
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, loggedOn } from '../../../helpers/smb2-client';

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves true if `s` is closed by the peer within `ms`. */
function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.on('error', () => {});
  });
}

function echoBody(): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(4, 0);
  return b;
}

describe('SMB connection limits', () => {
  let srv: TestSmbServer | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  test('a connection past maxConnections is closed at once; a freed slot admits the next', async () => {
    srv = await startTestSmbServer({ connectionLimits: { maxConnections: 2 } });
    const a = await rawSocket(srv.port);
    const b = await rawSocket(srv.port);
    const c = await rawSocket(srv.port);
    expect(await closedWithin(c, 1000)).toBe(true);
    expect(await closedWithin(a, 100)).toBe(false);
    a.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const d = await rawSocket(srv.port);
    expect(await closedWithin(d, 200)).toBe(false);
    b.destroy();
    d.destroy();
  });

  test('a connection that never logs on is closed after authTimeout; a logged-on one stays', async () => {
    srv = await startTestSmbServer({ connectionLimits: { authTimeoutMs: 300, idleTimeoutMs: 0 } });
    const idle = await rawSocket(srv.port);
    const client = await loggedOn(srv.port, [0x0302]);
    const started = Date.now();
    expect(await closedWithin(idle, 2000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.send(Cmd.ECHO, echoBody())).status).toBe(0);
    client.end();
  });

  test('a quiet connection without open files is closed after idleTimeout; one holding a file is not', async () => {
    srv = await startTestSmbServer({ connectionLimits: { authTimeoutMs: 0, idleTimeoutMs: 400 } });
    const quiet = await loggedOn(srv.port, [0x0302]);
    const holder = await loggedOn(srv.port, [0x0302]);
    const o = await holder.create('held.txt', { disposition: 3 });
    expect(o.r.status).toBe(0);
    expect(srv.server.connectionCount).toBe(2);
    await new Promise((r) => setTimeout(r, 1200));
    expect(srv.server.connectionCount).toBe(1);
    expect((await holder.send(Cmd.ECHO, echoBody())).status).toBe(0);
    quiet.end();
    holder.end();
  });
});
