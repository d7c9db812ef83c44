/**
 * The adapter contract kit: what every upcall adapter must do with the invalidations it
 * receives, whatever protocol it serves. Run it against your own adapter (jest):
 *
 * ```ts
 * import { runAdapterContract } from 'upcall/contract';
 * runAdapterContract('my adapter', (core, client, cache) => attachMyAdapter(core, client, cache));
 * ```
 *
 * `attach` must subscribe `client`'s invalidations on `core` and evict from `cache` (the kit's
 * recording CacheAdapter); it returns the subscription. Extra evictions are allowed (an extra
 * eviction is a cost, a missing one a stale-cache bug); missing ones fail.
 */
import type { Unsubscribable } from 'rxjs';
import type { CacheAdapter } from '../../adapters/cache-adapter';
import { createUpcallCore, UpcallFlags as F, type InodeKey, type UpcallCore } from '../../upcall-core';

export type AttachAdapter = (core: UpcallCore, client: string, cache: CacheAdapter) => Unsubscribable;

/** A CacheAdapter that records what it was told to evict, as strings like `attrs 7`. */
export function recordingCache(): CacheAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    evictAttrs: (i: InodeKey) => calls.push(`attrs ${i}`),
    evictDentry: (d: InodeKey, n?: string) => calls.push(`dentry ${d}/${n ?? '*'}`),
    evictListing: (d: InodeKey) => calls.push(`listing ${d}`),
    evictHandle: (i: InodeKey) => calls.push(`handle ${i}`),
    evictXattrs: (i: InodeKey, n?: readonly string[]) => calls.push(`xattrs ${i} ${n?.join(',') ?? '*'}`),
    flushAll: () => calls.push('flush'),
  };
}

const settle = () => new Promise<void>((r) => setImmediate(r));
const ME = 'adapter-under-test';
const OTHER = 'someone-else';

export function runAdapterContract(name: string, attach: AttachAdapter): void {
  describe(`adapter contract: ${name}`, () => {
    let core: ReturnType<typeof createUpcallCore>;
    let cache: ReturnType<typeof recordingCache>;
    let sub: Unsubscribable;

    beforeEach(() => {
      core = createUpcallCore({ options: { 'features.cache-invalidation': 'on' } });
      cache = recordingCache();
      sub = attach(core, ME, cache);
    });
    afterEach(() => {
      sub.unsubscribe();
      core.close();
    });

    /** `ME` has seen `seen`; OTHER changes something; what did the adapter evict? */
    async function evictionsAfter(
      seen: InodeKey[],
      change: Parameters<UpcallCore['change']>[1],
    ): Promise<string[]> {
      for (const i of seen) core.access(ME, i);
      core.change(OTHER, change);
      await settle();
      return cache.calls;
    }

    test.each([
      ['SIZE', F.SIZE],
      ['TIMES', F.TIMES],
      ['MODE', F.MODE],
      ['OWN', F.OWN],
      ['PERM', F.PERM],
      ['NLINK', F.NLINK],
      ['INVAL_ATTR', F.INVAL_ATTR],
    ])('%s drops the inode\u2019s attributes', async (_n, flags) => {
      expect(await evictionsAfter([7], { inode: 7, flags })).toContain('attrs 7');
    });

    test('a create in a directory drops the name (negative entry) and the listing', async () => {
      const calls = await evictionsAfter([2], { inode: 2, flags: F.TIMES, name: 'new' });
      expect(calls).toEqual(expect.arrayContaining(['listing 2']));
      expect(calls.some((c) => c === 'dentry 2/new' || c === 'dentry 2/*')).toBe(true);
    });

    test('unlink drops the dentry in the parent, the parent listing and the target attributes', async () => {
      const calls = await evictionsAfter([7], {
        inode: 7,
        flags: F.NLINK | F.TIMES | F.PARENT_TIMES,
        parent: 2,
        name: 'f',
      });
      expect(calls).toEqual(expect.arrayContaining(['attrs 7', 'listing 2']));
      expect(calls.some((c) => c === 'dentry 2/f' || c === 'dentry 2/*')).toBe(true);
    });

    test('rename drops the old and the new name and both listings', async () => {
      const calls = await evictionsAfter([7], {
        inode: 7,
        flags: F.RENAME | F.PARENT_TIMES,
        parent: 3,
        name: 'b',
        oldParent: 2,
        oldName: 'a',
      });
      expect(calls).toEqual(expect.arrayContaining(['listing 2', 'listing 3']));
      expect(calls.some((c) => c === 'dentry 2/a' || c === 'dentry 2/*')).toBe(true);
      expect(calls.some((c) => c === 'dentry 3/b' || c === 'dentry 3/*')).toBe(true);
    });

    test('FORGET drops everything about the inode', async () => {
      core.access(ME, 7);
      core.forget(7, OTHER);
      await settle();
      expect(cache.calls).toContain('handle 7');
    });

    test('xattr changes drop the xattrs the adapter registered', async () => {
      core.registerXattrs(ME, ['user.*']);
      const calls = await evictionsAfter([7], { inode: 7, flags: F.XATTR, xattrs: ['user.a'] });
      expect(calls.some((c) => c === 'xattrs 7 user.a' || c === 'xattrs 7 *' || c === 'handle 7')).toBe(true);
    });

    test('flush-all drops everything', async () => {
      core.flushAll(ME, 'transport-lost');
      await settle();
      expect(cache.calls).toContain('flush');
    });

    test('its own changes evict nothing (the originator updates itself from post-op attributes)', async () => {
      core.access(ME, 7);
      core.change(ME, { inode: 7, flags: F.SIZE });
      await settle();
      expect(cache.calls).toEqual([]);
    });

    test('after unsubscribing, nothing more is evicted and the core keeps no subscription', async () => {
      sub.unsubscribe();
      expect(core.stats().subscribedClients).toBe(0);
      const calls = await evictionsAfter([7], { inode: 7, flags: F.SIZE });
      expect(calls).toEqual([]);
    });
  });
}
