/**
 * The Redis peer for tests: where it is (UPCALL_TEST_REDIS, default redis://127.0.0.1:6379),
 * whether it answers (checked once, synchronously, so describePeer can decide to skip or fail),
 * a key namespace unique to each run so runs never collide, and cleanup of that namespace.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export const REDIS_URL = process.env.UPCALL_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** PING over a raw socket in a child process (no redis-cli needed): true when PONG came back. */
export function redisAnswers(url = REDIS_URL): boolean {
  const { hostname, port } = new URL(url);
  const probe = `
    const s = require('node:net').connect(${Number(port) || 6379}, ${JSON.stringify(hostname)});
    s.setTimeout(1500, () => process.exit(1));
    s.on('error', () => process.exit(1));
    s.on('connect', () => s.write('PING\\r\\n'));
    s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

export const redisAvailable: boolean = redisAnswers();

/** `upcall-test:<time>-<pid>-<random>:` — every key of one test run lives under it. */
export function testNamespace(): string {
  return `upcall-test:${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}:`;
}

/** Deletes every key under `ns` (SCAN, never KEYS). */
export async function dropNamespace(ns: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, protocol: 2, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${ns}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/**
 * Cuts every connection a transport named `upcall:<name>` holds (as a network blip would), with
 * `admin`, another connection; returns how many it cut. The transport reconnects on its own.
 */
export async function cutConnections(admin: Redis, name: string): Promise<number> {
  const list = String(await admin.client('LIST'));
  const ids = list
    .split('\n')
    .filter((l) => l.includes(` name=upcall:${name} `))
    .map((l) => /id=(\d+)/.exec(l)![1]);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  return ids.length;
}
