/**
 * The read/write race a cache must survive: B's GETATTR reads the old size, A's write lands
 * before B's reply comes back. Because the plugin registers B before reading, A's change
 * notifies B, the adapter evicts, and the cache refuses the raced fill — B's next GETATTR is
 * fresh. (Registering after the read, GlusterFS-style, leaves B caching the old size.)
 */
import { attachNfsAdapter } from '../../../adapters';
import type { Attrs, Ino } from '../../../gateway/backend/attrs';
import type { Backend } from '../../../gateway/backend/backend';
import { MetaCache } from '../../../gateway/cache/meta-cache';
import { withUpcall } from '../../../plugin';
import { createUpcallCore } from '../../../upcall-core';
import { ROOT, settle, tempBackend } from '../../helpers/temp-backend';

test('a write landing during a cached read is not lost', async () => {
  const env = await tempBackend();
  const core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': 'on' } });
  try {
    const f = await env.backend.create(env.backend.rootIno, 'f', { mode: 0o644 }, ROOT);
    let gate: Promise<void> | undefined;
    const slow: Backend = Object.create(env.backend);
    slow.getattr = async (ino: Ino) => {
      const a = await env.backend.getattr(ino); // the old value
      if (gate) await gate;
      return a;
    };
    const cacheB = new MetaCache(withUpcall(slow, core, 'B'), { ttlMs: 60_000 });
    const sub = attachNfsAdapter(core, 'B', cacheB);
    const a = withUpcall(env.backend, core, 'A');

    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const pending = cacheB.getattr(f.attrs.fileid);
    await settle(); // B's stat has returned the old size and waits at the gate
    await a.write(f.attrs.fileid, 0, Buffer.from('new content'), 'file-sync', ROOT);
    await settle(); // the invalidation reaches B
    open();
    expect((await pending).size).toBe(0); // the reply itself is the old value…
    gate = undefined;
    expect((await cacheB.getattr(f.attrs.fileid)).size).toBe(11); // …but it was not cached
    expect(cacheB.stats().racedFills).toBeGreaterThanOrEqual(1);
    sub.unsubscribe();
  } finally {
    core.close();
    await env.close();
  }
});
