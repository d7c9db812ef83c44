import type { Backend, Cred } from '../../../../gateway/backend/backend';
import { MetaCache } from '../../../../gateway/cache/meta-cache';
import { ROOT, tempBackend } from '../../../helpers/temp-backend';

/**
 * The metadata cache is a Backend decorator: it must hand the caller's Cred to the backend on
 * every call that takes one, and never let a cached answer skip the check the backend would
 * have made — one caller's LOOKUP or READDIR must not open a directory to every other caller.
 */
let env: Awaited<ReturnType<typeof tempBackend>>;
let cache: MetaCache;
let seen: { method: string; cred: unknown }[];
const STRANGER: Cred = { uid: 4321, gid: 4321, gids: [] };

/** Records the trailing Cred each call reaches the backend with. */
function recording(inner: Backend): Backend {
  return new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        seen.push({ method: String(prop), cred: args.find((a) => (a as Cred)?.gids !== undefined) });
        return v.apply(target, args);
      };
    },
  });
}

beforeEach(async () => {
  env = await tempBackend();
  seen = [];
  cache = new MetaCache(recording(env.backend), { ttlMs: 60_000 });
});
afterEach(() => env.close());

const root = () => env.backend.rootIno;

test('every call that takes a Cred reaches the backend with it', async () => {
  const dir = (await env.backend.mkdir(root(), 'd', 0o777, ROOT)).attrs.fileid;
  const f = (await env.backend.create(dir, 'f', { mode: 0o666 }, ROOT)).attrs.fileid;
  const me: Cred = { uid: 1000, gid: 1000, gids: [1000] };
  await cache.lookup(dir, 'f', me);
  await cache.read(f, 0, 10, me);
  await cache.write(f, 0, Buffer.from('x'), 'file-sync', me);
  await cache.readdir(dir, 0n, 100, true, me);
  await cache.link(f, dir, 'g', me);
  await cache.rename(dir, 'g', dir, 'h', me);
  await cache.remove(dir, 'h', me);
  await cache.mkdir(dir, 'sub', 0o755, me);
  await cache.rmdir(dir, 'sub', me);
  const forwarded = seen.filter((s) => s.method !== 'getattr');
  expect(forwarded.map((s) => s.method)).toEqual(
    expect.arrayContaining([
      'lookup',
      'read',
      'write',
      'readdir',
      'link',
      'rename',
      'remove',
      'mkdir',
      'rmdir',
    ]),
  );
  for (const s of forwarded) expect([s.method, s.cred]).toEqual([s.method, me]);
});

test('a cached name is not served to a caller without search permission on its directory', async () => {
  const dir = (await env.backend.mkdir(root(), 'closed', 0o700, ROOT)).attrs.fileid;
  await env.backend.create(dir, 'inner', { mode: 0o644 }, ROOT);
  await cache.getattr(dir);
  await cache.lookup(dir, 'inner', ROOT); // root fills the cache
  await expect(cache.lookup(dir, 'inner', STRANGER)).rejects.toMatchObject({ code: 'EACCES' });
  await expect(cache.lookup(dir, 'absent', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  await expect(cache.lookup(dir, 'absent', STRANGER)).rejects.toMatchObject({ code: 'EACCES' });
  await expect(cache.lookup(dir, 'inner', ROOT)).resolves.toMatchObject({ size: 0 });
});

test('a cached listing is not served to a caller without read permission on the directory', async () => {
  const dir = (await env.backend.mkdir(root(), 'unlisted', 0o711, ROOT)).attrs.fileid;
  await env.backend.create(dir, 'secret-name', { mode: 0o644 }, ROOT);
  await cache.readdir(dir, 0n, 100, true, ROOT);
  expect(cache.stats().misses.listings).toBe(1);
  await expect(cache.readdir(dir, 0n, 100, true, STRANGER)).rejects.toMatchObject({ code: 'EACCES' });
  await expect(cache.readdir(dir, 0n, 100, true, ROOT)).resolves.toMatchObject({ eof: true });
  expect(cache.stats().hits.listings).toBe(1);
});
