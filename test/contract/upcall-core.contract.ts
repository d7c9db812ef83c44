/**
 * The UpcallCore contract: DESIGN.md's rules as they show through the public API, in real time,
 * for any store (mqemitter's abstract tests are the model: every implementation runs them
 * unchanged). A third party runs it against its own store:
 *
 *   runUpcallCoreContract('my store', async () => {
 *     const core = await createMyCore();
 *     return { core, close: () => core.close() };
 *   });
 *
 * The builder returns a fresh core with its own table (for a shared store: its own key
 * namespace). The kit switches invalidation on with T = 1 s. Timing rules share one timeline, so
 * the whole kit takes about 4 s. Nothing here peeks inside a core.
 */
import { UpcallFlags as F, type FlushAll, type UpcallCore } from '../../upcall-core';
import { type BuildCore, barrier, type CoreUnderTest, Recorder, unique } from './contract-helpers';
import { runTimingContract } from './upcall-core-timing.contract';

export type { BuildCore, CoreUnderTest } from './contract-helpers';

export function runUpcallCoreContract(name: string, build: BuildCore): void {
  describe(`UpcallCore contract: ${name}`, () => {
    let under: CoreUnderTest;
    let core: UpcallCore;
    const recorders: Recorder[] = [];
    const rec = (client: string) => {
      const r = new Recorder(core, client);
      recorders.push(r);
      return r;
    };
    let A: string, B: string, C: string, f: string, d: string, o: string;

    beforeEach(async () => {
      under = await build();
      core = under.core;
      core.reconfigure({ 'features.cache-invalidation': 'on', 'features.cache-invalidation-timeout': 1 });
      [A, B, C] = [unique('A'), unique('B'), unique('C')];
      [f, d, o] = [unique('file'), unique('dir'), unique('olddir')];
    });

    afterEach(async () => {
      for (const r of recorders.splice(0)) r.stop();
      await under.close();
    });

    test('rules 1-2: a change reaches every other recent client, with what the originator reported', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.access(A, f);
      core.access(B, f);
      await core.change(C, { inode: f, flags: F.SIZE | F.TIMES, stat: { size: 5 } });
      await barrier(core, a, b);
      for (const [r, target] of [
        [a, A],
        [b, B],
      ] as const) {
        expect(r.events).toEqual([
          expect.objectContaining({
            kind: 'inode',
            inode: f,
            flags: F.SIZE | F.TIMES,
            stat: { size: 5 },
            origin: C,
            target,
            expireTimeAttr: 1,
          }),
        ]);
        expect(r.events[0].seq).toBeGreaterThan(0);
        expect(Math.abs(r.events[0].at - Date.now())).toBeLessThan(5000);
      }
    });

    test('rule 2: the originator is never told of its own change; strangers are not told', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.access(A, f);
      await core.change(A, { inode: f, flags: F.SIZE });
      await barrier(core, a, b);
      expect(a.events).toEqual([]);
      expect(b.events).toEqual([]);
    });

    test('rule 2: the originator is refreshed by its change (a later change by another reaches it)', async () => {
      const a = rec(A);
      await core.change(A, { inode: f, flags: F.MODE });
      await core.change(B, { inode: f, flags: F.SIZE });
      await barrier(core, a);
      expect(a.inodeEvents.map((e) => [e.inode, e.flags, e.origin])).toEqual([[f, F.SIZE, B]]);
    });

    test('rule 3: atime alone notifies nobody, yet registers the originator', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.access(A, f);
      await core.change(B, { inode: f, flags: F.ATIME });
      await barrier(core, a);
      expect(a.events).toEqual([]);
      await core.change(A, { inode: f, flags: F.SIZE });
      await barrier(core, b);
      expect(b.inodeEvents.map((e) => e.flags)).toEqual([F.SIZE]);
    });

    test('rule 4: FORGET goes to every listed client, and the inode state is dropped', async () => {
      const [a, b, c] = [rec(A), rec(B), rec(C)];
      core.access(A, f);
      core.access(B, f);
      await core.forget(f, C);
      await barrier(core, a, b, c);
      for (const r of [a, b])
        expect(r.events).toEqual([expect.objectContaining({ inode: f, flags: F.FORGET, origin: C })]);
      expect(c.events).toEqual([]); // C was not listed
      await core.change(C, { inode: f, flags: F.SIZE });
      await barrier(core, a, b);
      expect(a.events).toHaveLength(1);
      expect(b.events).toHaveLength(1);
    });

    test('entry changes reach the recent clients of the parent and of the old parent', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.access(A, d); // A lists the new parent
      core.access(B, o); // B lists the old parent
      const rename = { inode: f, flags: F.RENAME | F.PARENT_TIMES, parent: d, name: 'y', oldParent: o };
      await core.change(C, { ...rename, oldName: 'x' });
      await barrier(core, a, b);
      for (const r of [a, b])
        expect(r.inodeEvents).toEqual([
          expect.objectContaining({ inode: f, parent: d, name: 'y', oldParent: o, oldName: 'x' }),
        ]);
      // The originator was refreshed on both parents: a change there by another reaches it.
      const c = rec(C);
      await core.change(A, { inode: o, flags: F.TIMES });
      await barrier(core, c);
      expect(c.inodeEvents.map((e) => e.inode)).toEqual([o]);
    });

    test('a change that is not an entry change stays with the inode', async () => {
      const a = rec(A);
      core.access(A, d);
      await core.change(C, { inode: f, flags: F.SIZE, parent: d });
      await barrier(core, a);
      expect(a.events).toEqual([]);
    });

    test('each client is told once per change, though listed on the inode and both parents', async () => {
      const a = rec(A);
      for (const i of [f, d, o]) core.access(A, i);
      await core.change(C, { inode: f, flags: F.RENAME, parent: d, name: 'y', oldParent: o, oldName: 'x' });
      await barrier(core, a);
      expect(a.events).toHaveLength(1);
    });

    test('rule 7: xattr changes reach a client only for names matching its patterns', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.registerXattrs(A, ['user.*']);
      core.access(A, f);
      core.access(B, f); // B registered no pattern
      await core.change(C, { inode: f, flags: F.XATTR, xattrs: ['user.a', 'trusted.b'] });
      await core.change(C, { inode: f, flags: F.XATTR, xattrs: ['trusted.c'] });
      await barrier(core, a, b);
      expect(a.inodeEvents.map((e) => [e.flags, e.xattrs])).toEqual([[F.XATTR, ['user.a']]]);
      expect(b.events).toEqual([]);
      // A mixed change loses its xattr part but still goes.
      await core.change(C, { inode: f, flags: F.XATTR_RM | F.SIZE, xattrs: ['trusted.c'] });
      core.unregisterXattrs(A);
      await core.change(C, { inode: f, flags: F.XATTR, xattrs: ['user.a'] });
      await barrier(core, a, b);
      expect(a.inodeEvents.slice(1).map((e) => [e.flags, e.xattrs])).toEqual([[F.SIZE, undefined]]);
      expect(b.inodeEvents.map((e) => e.flags)).toEqual([F.SIZE]);
      expect(() => core.registerXattrs(A, [''])).toThrow();
    });

    test('rule 6: while off nothing is told; switching back on flushes every subscribed cache', async () => {
      const a = rec(A);
      core.reconfigure({ 'features.cache-invalidation': 'off' });
      core.access(A, f);
      await core.change(B, { inode: f, flags: F.SIZE });
      core.reconfigure({ 'features.cache-invalidation': 'on' });
      await barrier(core, a);
      expect(a.events).toEqual([
        expect.objectContaining({ kind: 'flush-all', reason: 'reenabled', target: A }),
      ]);
    });

    test('options$ gives the current options, then every change', () => {
      const seen: number[] = [];
      const s = core.options$().subscribe((x) => seen.push(x['features.cache-invalidation-timeout']));
      core.reconfigure({ 'features.cache-invalidation-timeout': '7' });
      s.unsubscribe();
      expect(seen).toEqual([1, 7]);
      expect(core.options['features.cache-invalidation-timeout']).toBe(7);
      expect(() => core.reconfigure({ 'features.cache-invalidation-timeout': -1 })).toThrow();
      expect(() => core.reconfigure({ 'features.nope': 1 } as never)).toThrow();
    });

    test('flushAll tells one subscribed client to drop everything', async () => {
      const [a, b] = [rec(A), rec(B)];
      core.flushAll(A, 'transport-lost');
      await barrier(core, a, b);
      expect(a.events).toEqual([
        expect.objectContaining<Partial<FlushAll>>({
          kind: 'flush-all',
          reason: 'transport-lost',
          target: A,
        }),
      ]);
      expect(b.events).toEqual([]);
    });

    test('sequence numbers rise per stream; all() sees the deliveries to subscribed clients', async () => {
      const all: string[] = [];
      const s = core.all().subscribe((e) => all.push(`${e.target}:${e.kind === 'inode' ? e.inode : '*'}`));
      const a = rec(A);
      for (const i of [1, 2, 3]) core.access(A, `${f}.${i}`);
      for (const i of [1, 2, 3]) await core.change(C, { inode: `${f}.${i}`, flags: F.SIZE });
      await barrier(core, a);
      s.unsubscribe();
      const seqs = a.got.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(all.filter((x) => x.startsWith(`${A}:${f}`))).toEqual([1, 2, 3].map((i) => `${A}:${f}.${i}`));
    });

    test('counters: changes and notifications by flag', async () => {
      rec(A);
      core.access(A, f);
      const before = core.stats();
      await core.change(B, { inode: f, flags: F.SIZE | F.TIMES });
      const after = core.stats();
      expect(after.changes - before.changes).toBe(1);
      expect(after.notifications - before.notifications).toBe(1);
      expect((after.notificationsByFlag.SIZE ?? 0) - (before.notificationsByFlag.SIZE ?? 0)).toBe(1);
    });

    test('bad input is refused; after close() streams complete and changes throw', async () => {
      expect(() => core.change(B, { inode: f, flags: 0 })).toThrow();
      expect(() => core.change(B, { inode: f, flags: 0x10000 })).toThrow();
      let completed = false;
      core.events(A).subscribe({ complete: () => (completed = true) });
      await under.close();
      expect(completed).toBe(true);
      expect(() => core.change(B, { inode: f, flags: F.SIZE })).toThrow(/closed/i);
    });
  });

  runTimingContract(name, build);
}
