/**
 * A redis-server of the test's own, on a free port, that the test may kill and restart (fault
 * tests must not disturb the shared Redis other suites use). No persistence: a restart comes
 * back empty, as a crashed cache server would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { hasCommand } from './peers';
import { redisAnswers } from './redis-peer';

export const redisServerPresent: boolean = hasCommand('redis-server');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.up();
    return r;
  }

  /** Starts the server (again) on the same port and waits until it answers PING. */
  async up(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const until = Date.now() + 5000;
    while (!redisAnswers(this.url)) {
      if (Date.now() > until) throw new Error(`redis-server on ${this.port} did not come up`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server at once (SIGKILL: no goodbye to clients, state lost). */
  async down(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
}
