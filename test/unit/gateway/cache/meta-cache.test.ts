import type { Attrs, Ino } from '../../../../gateway/backend/attrs';
import type { Backend } from '../../../../gateway/backend/backend';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { MetaCache } from '../../../../gateway/cache/meta-cache';
import { ROOT, tempBackend } from '../../../helpers/temp-backend';

let env: Awaited<ReturnType<typeof tempBackend>>;
let cache: MetaCache;
let clock: number;
let calls: Record<string, number>;

/** Counts calls that reach the backend, so a hit is a call that did not. */
function counting(inner: Backend): Backend {
  return new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return v.apply(target, args);
      };
    },
  });
}

beforeEach(async () => {
  env = await tempBackend();
  calls = {};
  clock = 1_000_000;
  cache = new MetaCache(counting(env.backend), { ttlMs: 10_000, now: () => clock });
});
afterEach(() => env.close());

const root = () => env.backend.rootIno;
const key = (ino: Ino) => inodeKeyOf(ino);

test('attributes are served from the cache until evicted or expired', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  await cache.getattr(f.attrs.fileid);
  await cache.getattr(f.attrs.fileid);
  expect(calls.getattr).toBe(1);
  cache.evictAttrs(key(f.attrs.fileid));
  await cache.getattr(f.attrs.fileid);
  expect(calls.getattr).toBe(2);
  clock += 10_000;
  await cache.getattr(f.attrs.fileid);
  expect(calls.getattr).toBe(3);
  expect(cache.stats().hits.attrs).toBe(1);
});

test('a missing name is cached as negative until its dentry is evicted', async () => {
  await cache.getattr(root()); // a hit needs the directory's attributes to check search permission
  await expect(cache.lookup(root(), 'x', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  await env.backend.create(root(), 'x', { mode: 0o644 }, ROOT);
  await expect(cache.lookup(root(), 'x', ROOT)).rejects.toMatchObject({ code: 'ENOENT' }); // stale by design
  cache.evictDentry(key(root()), 'x');
  await expect(cache.lookup(root(), 'x', ROOT)).resolves.toMatchObject({ size: 0 });
});

test('a fetch that raced with an eviction does not fill the cache', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: Backend = Object.create(env.backend);
  slow.getattr = async (ino: Ino): Promise<Attrs> => {
    const a = await env.backend.getattr(ino); // the old value, read before the change
    await gate;
    return a;
  };
  const c = new MetaCache(slow, { ttlMs: 10_000, now: () => clock });
  const pending = c.getattr(f.attrs.fileid);
  c.evictAttrs(key(f.attrs.fileid)); // the upcall for a change made meanwhile
  release();
  await pending;
  expect(c.stats().racedFills).toBe(1);
  expect(c.stats().entries.attrs).toBe(0);
});

test('changes through the cache update it from post-op attributes (no miss afterwards)', async () => {
  await cache.getattr(root()); // held: the create below refreshes it (a hit needs it, see above)
  calls = {};
  const f = await cache.create(root(), 'f', { mode: 0o644 }, ROOT);
  await cache.write(f.attrs.fileid, 0, Buffer.from('12345'), 'file-sync', ROOT);
  const a = await cache.getattr(f.attrs.fileid);
  expect(a.size).toBe(5);
  expect(calls.getattr ?? 0).toBe(0);
  await expect(cache.lookup(root(), 'f', ROOT)).resolves.toMatchObject({ size: 5 });
  expect(calls.lookup ?? 0).toBe(0);
});

test('changes through the cache never start holding an object it did not hold (only a read does)', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  await cache.write(f.attrs.fileid, 0, Buffer.from('12345'), 'file-sync', ROOT);
  await cache.setattr(f.attrs.fileid, { mode: 0o600 }, ROOT);
  await cache.link(f.attrs.fileid, root(), 'g', ROOT);
  expect(cache.stats().entries.attrs).toBe(0);
  await expect(cache.getattr(f.attrs.fileid)).resolves.toMatchObject({ size: 5, nlink: 2 });
  expect(calls.getattr).toBe(1);
  // Held now (read): the next change refreshes it, and the read after is a hit.
  await cache.write(f.attrs.fileid, 5, Buffer.from('6'), 'file-sync', ROOT);
  await expect(cache.getattr(f.attrs.fileid)).resolves.toMatchObject({ size: 6 });
  expect(calls.getattr).toBe(1);
});

test('a listing with attributes is served only while every entry\u2019s attributes are cached', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  await cache.readdir(root(), 0n, 100, true, ROOT);
  await cache.readdir(root(), 0n, 100, true, ROOT);
  expect(calls.readdir).toBe(1);
  cache.evictAttrs(key(f.attrs.fileid)); // e.g. another head wrote to f
  await env.backend.write(f.attrs.fileid, 0, Buffer.from('abc'), 'file-sync');
  const page = await cache.readdir(root(), 0n, 100, true, ROOT);
  expect(calls.readdir).toBe(2);
  expect(page.entries.find((e) => e.name === 'f')?.attrs?.size).toBe(3);
});

test('a fresh listing drops the dentries it contradicts: a name deleted behind the cache, a name created behind it', async () => {
  // What the export watcher is racing: the change was made on the export directly and its
  // upcall has not arrived yet, but the listing was not cached (a raced fill, an entry's
  // attributes evicted) so the client sees it fresh. LOOKUP must then agree with the listing.
  const gone = await env.backend.create(root(), 'gone', { mode: 0o644 }, ROOT);
  await cache.getattr(root());
  await expect(cache.lookup(root(), 'gone', ROOT)).resolves.toMatchObject({ fileid: gone.attrs.fileid });
  await expect(cache.lookup(root(), 'new', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  await env.backend.remove(root(), 'gone', ROOT);
  await env.backend.create(root(), 'new', { mode: 0o644 }, ROOT);
  await expect(cache.lookup(root(), 'gone', ROOT)).resolves.toBeDefined(); // no upcall: stale by design
  const page = await cache.readdir(root(), 0n, 100, true, ROOT);
  expect(page.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['new']));
  expect(page.entries.map((e) => e.name)).not.toContain('gone');
  await expect(cache.lookup(root(), 'gone', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  await expect(cache.lookup(root(), 'new', ROOT)).resolves.toMatchObject({ size: 0 });
  // The listing itself was still cached, and the answers now agree with it.
  await cache.readdir(root(), 0n, 100, true, ROOT);
  expect(calls.readdir).toBe(1);
});

test('a partial listing only drops dentries it names; a negative dentry for an unlisted name stays', async () => {
  for (const n of ['a', 'b', 'c']) await env.backend.create(root(), n, { mode: 0o644 }, ROOT);
  await cache.getattr(root());
  await cache.lookup(root(), 'c', ROOT);
  await expect(cache.lookup(root(), 'z', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  const first = await cache.readdir(root(), 0n, 3, false, ROOT); // '.', '..', 'a': not eof
  expect(first.eof).toBe(false);
  const before = calls.lookup;
  await cache.lookup(root(), 'c', ROOT); // not contradicted by a page that does not cover it
  await expect(cache.lookup(root(), 'z', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(calls.lookup).toBe(before);
});

test('a lookup answered by the backend drops a whole cached listing it contradicts', async () => {
  // A name made behind the cache (another head, the export) before its upcall arrives: a LOOKUP
  // that finds it must not be followed by a listing that lacks it; likewise for a name gone.
  await env.backend.create(root(), 'old', { mode: 0o644 }, ROOT);
  await cache.getattr(root());
  const before = await cache.readdir(root(), 0n, 100, false, ROOT);
  expect(before.eof).toBe(true);
  await env.backend.create(root(), 'made', { mode: 0o644 }, ROOT);
  await expect(cache.lookup(root(), 'made', ROOT)).resolves.toBeDefined();
  const after = await cache.readdir(root(), 0n, 100, false, ROOT);
  expect(after.entries.map((e) => e.name)).toContain('made');
  expect(calls.readdir).toBe(2);
  await env.backend.remove(root(), 'old', ROOT);
  await expect(cache.lookup(root(), 'old', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  expect((await cache.readdir(root(), 0n, 100, false, ROOT)).entries.map((e) => e.name)).not.toContain('old');
  expect(calls.readdir).toBe(3);
  // An answer the listing agrees with keeps it.
  await env.backend.create(root(), 'x', { mode: 0o644 }, ROOT);
  await cache.readdir(root(), 0n, 100, false, ROOT); // still cached: 'x' unknown to it
  expect(calls.readdir).toBe(3);
  await expect(cache.lookup(root(), 'nothere', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  await cache.readdir(root(), 0n, 100, false, ROOT);
  expect(calls.readdir).toBe(3);
});

test('a lookup in flight across a contradicting listing does not put the old dentry back', async () => {
  await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let hold = false;
  const slow: Backend = Object.create(env.backend);
  slow.lookup = async (dir, name, cred) => {
    const a = await env.backend.lookup(dir, name, cred); // read before the delete
    if (hold) await gate;
    return a;
  };
  const c = new MetaCache(slow, { ttlMs: 10_000, now: () => clock });
  await c.getattr(root());
  await c.lookup(root(), 'f', ROOT); // a dentry to contradict
  c.evictAttrs(key((await env.backend.lookup(root(), 'f', ROOT)).fileid));
  hold = true;
  const pending = c.lookup(root(), 'f', ROOT); // dentry hit, attrs miss: goes to the backend
  await env.backend.remove(root(), 'f', ROOT);
  await c.readdir(root(), 0n, 100, false, ROOT);
  release();
  await pending;
  hold = false;
  await expect(c.lookup(root(), 'f', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('entry changes through the cache drop the listing and record the new name', async () => {
  await cache.readdir(root(), 0n, 100, false, ROOT);
  await cache.mkdir(root(), 'd', 0o755, ROOT);
  const page = await cache.readdir(root(), 0n, 100, false, ROOT);
  expect(page.entries.map((e) => e.name)).toContain('d');
  await cache.remove(root(), 'nonexistent', ROOT).catch(() => {});
  await cache.rmdir(root(), 'd', ROOT);
  await expect(cache.lookup(root(), 'd', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('the lifetime cap: never longer than the cap, and a cap of 0 disables caching', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  cache.setTtlCap(1000);
  expect(cache.ttlMs).toBe(1000);
  await cache.getattr(f.attrs.fileid);
  clock += 1000;
  await cache.getattr(f.attrs.fileid);
  expect(calls.getattr).toBe(2);
  cache.setTtlCap(0);
  await cache.getattr(f.attrs.fileid);
  await cache.getattr(f.attrs.fileid);
  expect(calls.getattr).toBe(4);
  cache.setTtlCap(undefined);
  expect(cache.ttlMs).toBe(10_000);
});

test('flushAll drops everything', async () => {
  const f = await env.backend.create(root(), 'f', { mode: 0o644 }, ROOT);
  await cache.getattr(f.attrs.fileid);
  cache.flushAll();
  expect(cache.stats().entries).toEqual({ attrs: 0, dirs: 0, listings: 0 });
});

test('a read with fresh cached attributes hands them down: no stat, eof from the known size', async () => {
  const f = await env.backend.create(root(), 'r', { mode: 0o644 }, ROOT);
  await env.backend.write(f.attrs.fileid, 0, Buffer.from('0123456789'), 'file-sync', ROOT);
  await cache.getattr(f.attrs.fileid);
  calls = {};
  const seen: unknown[] = [];
  const inner = env.backend;
  const spy = new MetaCache(
    new Proxy(inner, {
      get(t, p, r) {
        const v = Reflect.get(t, p, r);
        if (p !== 'read') return v;
        return (...a: unknown[]) => {
          seen.push(a[4]);
          return v.apply(t, a);
        };
      },
    }),
    { ttlMs: 10_000, now: () => clock },
  );
  await spy.getattr(f.attrs.fileid);
  const r = await spy.read(f.attrs.fileid, 0, 10, ROOT);
  expect(seen[0]).toMatchObject({ size: 10 });
  expect(r.eof).toBe(true);
  expect(r.data.toString()).toBe('0123456789');
  const partial = await spy.read(f.attrs.fileid, 0, 4, ROOT);
  expect(partial.eof).toBe(false);
});
