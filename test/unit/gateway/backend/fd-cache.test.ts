import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdCache, type Opened } from '../../../../gateway/backend/fd-cache';

describe('descriptor cache', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upcall-fdcache-'));
    for (const n of ['a', 'b', 'c']) await writeFile(join(dir, n), n);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const opener =
    (name: string, log: string[], writable = true) =>
    async (): Promise<Opened> => {
      log.push(name);
      return { fh: await open(join(dir, name), 'r'), writable };
    };

  /** A FileHandle's fd becomes -1 once closed. */
  const closed = (o: { fh: { fd: number } }) => o.fh.fd === -1;

  test('a cached descriptor is reused: one open for many calls', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 4, idleMs: 0 });
    for (let i = 0; i < 10; i++) (await cache.acquire(1n, 'file', false, opener('a', log))).release();
    expect(log).toEqual(['a']);
    await cache.closeAll();
  });

  test('past `max`, the least recently used unpinned descriptor is closed', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 2, idleMs: 0 });
    const a = await cache.acquire(1n, 'file', false, opener('a', log));
    a.release();
    const b = await cache.acquire(2n, 'file', false, opener('b', log));
    b.release();
    (await cache.acquire(1n, 'file', false, opener('a', log))).release(); // a is now recent
    const c = await cache.acquire(3n, 'file', false, opener('c', log));
    c.release();
    await new Promise((r) => setImmediate(r));
    expect(closed(b)).toBe(true);
    expect(closed(a)).toBe(false);
    expect(cache.size).toBe(2);
    await cache.closeAll();
    expect(closed(a) && closed(c)).toBe(true);
  });

  test('a pinned descriptor is not closed by eviction or forget until released', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 1, idleMs: 0 });
    const a = await cache.acquire(1n, 'file', false, opener('a', log));
    const b = await cache.acquire(2n, 'file', false, opener('b', log));
    cache.forget(1n);
    expect(closed(a)).toBe(false);
    await a.fh.stat(); // still usable
    a.release();
    await new Promise((r) => setImmediate(r));
    expect(closed(a)).toBe(true);
    b.release();
    await cache.closeAll();
  });

  test('a retired descriptor with two users closes only when the last one releases', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 4, idleMs: 0 });
    const first = await cache.acquire(1n, 'file', false, opener('a', log));
    const second = await cache.acquire(1n, 'file', false, opener('a', log));
    expect(second.fh).toBe(first.fh);
    cache.forget(1n);
    first.release();
    await new Promise((r) => setImmediate(r));
    expect(closed(second)).toBe(false);
    await second.fh.stat();
    second.release();
    await new Promise((r) => setImmediate(r));
    expect(closed(second)).toBe(true);
    await cache.closeAll();
  });

  test('a newcomer opened while every cached descriptor is in use is not closed under its caller', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 1, idleMs: 0 });
    const a = await cache.acquire(1n, 'file', false, opener('a', log));
    const b = await cache.acquire(2n, 'file', false, opener('b', log));
    await new Promise((r) => setImmediate(r));
    expect(closed(b)).toBe(false);
    await b.fh.stat();
    a.release();
    b.release();
    await new Promise((r) => setImmediate(r));
    expect(cache.size).toBe(1); // back within max once released
    await cache.closeAll();
  });

  test('descriptors idle for idleMs are closed by the sweep', async () => {
    const now = { t: 0 };
    const log: string[] = [];
    const cache = new FdCache({ max: 4, idleMs: 1000, now: () => now.t });
    const a = await cache.acquire(1n, 'file', false, opener('a', log));
    a.release();
    now.t = 999;
    cache.sweep();
    expect(cache.isOpen(1n)).toBe(true);
    now.t = 1000;
    cache.sweep();
    expect(cache.isOpen(1n)).toBe(false);
    await cache.closeAll();
    expect(closed(a)).toBe(true);
  });

  test('a read-only descriptor does not serve a write: it is replaced', async () => {
    const log: string[] = [];
    const cache = new FdCache({ max: 4, idleMs: 0 });
    const ro = await cache.acquire(1n, 'file', false, opener('a', log, false));
    ro.release();
    const rw = await cache.acquire(1n, 'file', true, opener('a', log, true));
    expect(rw.writable).toBe(true);
    rw.release();
    expect(log).toEqual(['a', 'a']);
    await cache.closeAll();
    expect(closed(ro)).toBe(true);
  });

  test('adopt replaces a cached descriptor with the fresh one', async () => {
    const cache = new FdCache({ max: 4, idleMs: 0 });
    const stale = { fh: await open(join(dir, 'a'), 'r'), writable: true };
    const fresh = { fh: await open(join(dir, 'a'), 'r'), writable: true };
    cache.adopt(1n, 'file', stale);
    cache.adopt(1n, 'file', fresh);
    await new Promise((r) => setImmediate(r));
    expect(closed(stale)).toBe(true);
    const lease = cache.tryAcquire(1n)!;
    expect(lease.fh).toBe(fresh.fh);
    lease.release();
    await cache.closeAll();
  });
});
