import { UpcallFlags as F, type Invalidation } from '../../../upcall-core';
import { record, virtualCore } from '../../helpers/virtual-time';

describe('rule 8: delivery', () => {
  test('per-client streams: each client sees only its own events, numbered 1, 2, 3', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    const b = record(core, 'B');
    core.access('A', 'f');
    core.access('B', 'g');
    core.change('C', { inode: 'f', flags: F.SIZE });
    core.change('C', { inode: 'g', flags: F.SIZE });
    core.change('C', { inode: 'f', flags: F.MODE });
    core.change('C', { inode: 'h', flags: F.MODE });
    time.settle();
    expect(a.map((e) => e.seq)).toEqual([1]);
    expect(a.every((e) => e.kind === 'inode' && e.inode === 'f')).toBe(true);
    expect(b).toEqual([expect.objectContaining({ inode: 'g', target: 'B', seq: 1 })]);
  });

  test('waiting events for one inode are merged (flags OR-ed, newest stat) and counted', () => {
    const { core, time } = virtualCore<number>();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE, stat: 1 });
    core.change('C', { inode: 'f', flags: F.MODE, stat: 2 });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ flags: F.SIZE | F.MODE, stat: 2, origin: 'C', seq: 1 })]);
    expect(core.stats().coalesced).toBe(1);
  });

  test('renames of one inode are not merged: each names its own entries', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.RENAME, oldParent: 'd', oldName: 'x', parent: 'd', name: 'y' });
    core.change('B', { inode: 'f', flags: F.RENAME, oldParent: 'd', oldName: 'y', parent: 'd', name: 'z' });
    time.settle();
    expect(a.map((e) => e.kind === 'inode' && e.name)).toEqual(['y', 'z']);
  });

  test('a full queue turns into exactly one flush-all, then delivery goes on', () => {
    const { core, time } = virtualCore({ queueCapacity: 3 });
    const a = record(core, 'A');
    for (let i = 0; i < 10; i++) core.access('A', `f${i}`);
    for (let i = 0; i < 10; i++) core.change('B', { inode: `f${i}`, flags: F.SIZE });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ kind: 'flush-all', reason: 'overflow', target: 'A' })]);
    expect(core.stats().overflowed).toBe(1);
    core.change('B', { inode: 'f0', flags: F.SIZE });
    time.settle();
    expect(a[1]).toMatchObject({ kind: 'inode', inode: 'f0' });
    expect(a[1].seq).toBeGreaterThan(a[0].seq);
  });

  test('a subscriber that throws does not stop delivery to others, nor the core', async () => {
    const errors: unknown[] = [];
    const { core, time } = virtualCore({ onSubscriberError: (e) => errors.push(e) });
    core.events('A').subscribe(() => {
      throw new Error('adapter bug');
    });
    const b = record(core, 'B');
    core.access('A', 'f');
    core.access('B', 'f');
    core.change('C', { inode: 'f', flags: F.SIZE });
    time.settle();
    core.change('C', { inode: 'f', flags: F.MODE });
    time.settle();
    expect(b).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 5)); // RxJS reports subscriber errors from a timer
    expect(errors).toHaveLength(2);
    expect(core.stats().subscriberErrors).toBe(2);
  });

  test('events for a client nobody listens to are counted, not queued', () => {
    const { core, time } = virtualCore();
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(core.stats()).toMatchObject({ notifications: 1, undeliverable: 1 });
  });

  test('all() sees every notification for every client', () => {
    const { core, time } = virtualCore();
    const all: Invalidation[] = [];
    core.all().subscribe((e) => all.push(e));
    record(core, 'A');
    core.access('A', 'f');
    core.access('X', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(all.map((e) => e.target).sort()).toEqual(['A', 'X']);
    expect(all.map((e) => e.seq)).toEqual([1, 2]);
  });

  test('subscriptions never leak: unsubscribing releases the channel and the client', () => {
    const { core, time } = virtualCore();
    const subs = Array.from({ length: 100 }, (_, i) => core.events(`c${i}`).subscribe());
    expect(core.stats().subscribedClients).toBe(100);
    expect(core.stats().clients).toBe(100);
    for (const s of subs) s.unsubscribe();
    expect(core.stats()).toMatchObject({ subscribedClients: 0, clients: 0 });
    core.access('A', 'f');
    time.advance(3 * 60_000);
    expect(core.stats().clients).toBe(0); // A's only entry was reaped, so A itself went too
  });

  test('notification counters by flag', () => {
    const { core, time } = virtualCore();
    record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE | F.TIMES });
    time.settle();
    core.change('B', { inode: 'f', flags: F.TIMES });
    time.settle();
    expect(core.stats().notificationsByFlag).toEqual({ SIZE: 1, TIMES: 2 });
  });

  test('close() delivers what waits, completes every stream, refuses changes', () => {
    const { core } = virtualCore();
    const got: string[] = [];
    core.events('A').subscribe({ next: () => got.push('next'), complete: () => got.push('complete') });
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    core.close();
    expect(got).toEqual(['next', 'complete']);
    expect(() => core.change('B', { inode: 'f', flags: F.SIZE })).toThrow(/closed/);
  });

  test('cost per delivery does not depend on the number of subscribed clients', () => {
    // Counted, not timed: with 10,000 subscribers, one change reaches exactly its one target.
    const { core, time } = virtualCore();
    let calls = 0;
    for (let i = 0; i < 10_000; i++) core.events(`c${i}`).subscribe(() => calls++);
    core.access('c42', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(calls).toBe(1);
  });
});
