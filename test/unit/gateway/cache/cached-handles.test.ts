import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { CachedHandles } from '../../../../gateway/cache/cached-handles';
import { MetaCache } from '../../../../gateway/cache/meta-cache';
import { ROOT, tempBackend } from '../../../helpers/temp-backend';

let env: Awaited<ReturnType<typeof tempBackend>>;
beforeEach(async () => {
  env = await tempBackend();
});
afterEach(() => env.close());

test('a known handle resolves without the backend while its object is known alive, and through it after a FORGET', async () => {
  const cache = new MetaCache(env.backend, { ttlMs: 10_000 });
  const f = await env.backend.create(env.backend.rootIno, 'f', { mode: 0o644 }, ROOT);
  const h = env.backend.handleOf(f.attrs.fileid);
  let slow = 0;
  const inner = {
    handleOf: (i: bigint) => env.backend.handleOf(i),
    knownHandle: (b: Buffer) => env.backend.knownHandle(b),
    resolveHandle: (b: Buffer) => {
      slow++;
      return env.backend.resolveHandle(b);
    },
  };
  const handles = new CachedHandles(inner, cache);
  await expect(handles.resolveHandle(h)).resolves.toBe(f.attrs.fileid); // not cached yet: full check
  expect(slow).toBe(1);
  await cache.getattr(f.attrs.fileid);
  await expect(handles.resolveHandle(h)).resolves.toBe(f.attrs.fileid);
  expect(slow).toBe(1);
  // Another head wrote to it: the attributes go, the object is still there.
  cache.evictAttrs(inodeKeyOf(f.attrs.fileid));
  await expect(handles.resolveHandle(h)).resolves.toBe(f.attrs.fileid);
  expect(slow).toBe(1);
  await env.backend.remove(env.backend.rootIno, 'f', ROOT);
  cache.evictHandle(inodeKeyOf(f.attrs.fileid)); // its FORGET
  await expect(handles.resolveHandle(h)).rejects.toMatchObject({ code: 'ESTALE' });
  expect(slow).toBe(2);
});

test('a forged handle that merely names a cached inode is still fully checked', async () => {
  const cache = new MetaCache(env.backend, { ttlMs: 10_000 });
  const f = await env.backend.create(env.backend.rootIno, 'f', { mode: 0o644 }, ROOT);
  await cache.getattr(f.attrs.fileid);
  const forged = Buffer.from(env.backend.handleOf(f.attrs.fileid));
  forged[forged.length - 1] ^= 0xff; // same inode, bad MAC
  const handles = new CachedHandles(env.backend, cache);
  await expect(handles.resolveHandle(forged)).rejects.toMatchObject({ code: 'EBADHANDLE' });
});

test('a write through the cache proves the object alive even when it holds no attributes', async () => {
  const cache = new MetaCache(env.backend, { ttlMs: 10_000 });
  const f = await env.backend.create(env.backend.rootIno, 'f', { mode: 0o644 }, ROOT);
  let slow = 0;
  const handles = new CachedHandles(
    {
      handleOf: (i: bigint) => env.backend.handleOf(i),
      knownHandle: (b: Buffer) => env.backend.knownHandle(b),
      resolveHandle: (b: Buffer) => {
        slow++;
        return env.backend.resolveHandle(b);
      },
    },
    cache,
  );
  const h = env.backend.handleOf(f.attrs.fileid);
  await handles.resolveHandle(h);
  await cache.write(f.attrs.fileid, 0, Buffer.from('x'), 'unstable', ROOT);
  expect(cache.stats().entries.attrs).toBe(0);
  await handles.resolveHandle(h);
  expect(slow).toBe(1);
  cache.flushAll();
  await handles.resolveHandle(h);
  expect(slow).toBe(2);
});
