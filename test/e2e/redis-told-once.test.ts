import { UpcallFlags as F, type Invalidation } from '../../upcall-core';
import { describePeer } from '../helpers/peers';
import { record, redisCores } from '../helpers/redis-cores';
import { REDIS_URL, redisAvailable } from '../helpers/redis-peer';
import { waitFor } from '../helpers/wait-for';

/**
 * Told once per access (CHANGE_LUA): an attribute-only change reaches a client that was already
 * told of those flags and has not read since only once; entry changes always go; registering
 * again re-arms it, and tells the client of a change left out while its read was in flight.
 */
describePeer('Redis store: told once per access', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  // Quiet-write grants off: what the store decides is seen change by change here
  // (redis-quiet-writes.test.ts covers them).
  const { head } = redisCores({ quietLeaseMs: 0 });

  const inodeFlags = (got: Invalidation[]) =>
    got.map((e) => (e.kind === 'inode' ? [e.inode, e.flags] : e.kind));

  test('repeated writes reach a reader once until it reads again; then once more', async () => {
    const [a, b] = [await head('a'), await head('b')];
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    for (let i = 0; i < 5; i++) await a.core.change('A', { inode: 'f', flags: F.SIZE | F.TIMES });
    await waitFor(() => got.length >= 1, 'the first delivery');
    await a.core.sync();
    await b.core.sync();
    expect(inodeFlags(got)).toEqual([['f', F.SIZE | F.TIMES]]);
    expect(a.transport.counters.alreadyTold).toBe(4);
    expect(a.core.stats().notifications).toBe(1);

    // The delivery dropped B's fresh registration: its next read registers, and re-arms. Four
    // changes were left out meanwhile, so registering an object read before it registered (a
    // lookup's child) evicts once more.
    await waitFor(() => b.transport.freshRegistrations() === 0, 'B to forget its registration');
    const w = b.core.access('B', 'f', true);
    expect(w).toBeInstanceOf(Promise);
    await w;
    expect(got[1]).toEqual(expect.objectContaining({ inode: 'f', flags: F.SIZE | F.TIMES, origin: 'B' }));
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length >= 3, 'the delivery after B read again');
    expect(got[2]).toEqual(expect.objectContaining({ inode: 'f', flags: F.SIZE, origin: 'A' }));
  });

  test('new flags, entry changes and other inodes are never left out', async () => {
    const [a, b] = [await head('a'), await head('b')];
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await b.core.access('B', 'd');
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await a.core.change('A', { inode: 'f', flags: F.MODE }); // not told of MODE yet
    await a.core.change('A', { inode: 'f', flags: F.SIZE | F.MODE }); // told of both: left out
    await a.core.change('A', { inode: 'f', flags: F.XATTR, xattrs: ['user.x'] }); // xattrs always go
    await a.core.change('A', { inode: 'd', flags: F.TIMES, name: 'n1' }); // entry change
    await a.core.change('A', { inode: 'd', flags: F.TIMES, name: 'n2' }); // another name: goes too
    await waitFor(() => got.length >= 4, 'four deliveries');
    await a.core.sync();
    await b.core.sync();
    const seen = inodeFlags(got);
    expect(seen).toEqual([
      ['f', F.SIZE],
      ['f', F.MODE],
      ['d', F.TIMES],
      ['d', F.TIMES],
    ]);
    expect(a.transport.counters.alreadyTold).toBe(1);
  });

  test('a writer told once stays told while it only writes (its cache holds nothing it did not read)', async () => {
    const [a, b] = [await head('a'), await head('b')];
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // B told: evicts f
    for (let i = 0; i < 3; i++) {
      await b.core.change('B', { inode: 'f', flags: F.SIZE }); // B writes: refreshes nothing it holds
      await a.core.change('A', { inode: 'f', flags: F.SIZE }); // left out for B
    }
    await waitFor(() => got.length >= 1, 'the first delivery');
    await a.core.sync();
    await b.core.sync();
    expect(inodeFlags(got)).toEqual([['f', F.SIZE]]);
    expect(a.transport.counters.alreadyTold).toBe(3);
    // B's writes registered it (rule 2) but did not re-arm it: once it reads, it is told again.
    await waitFor(() => b.transport.freshRegistrations() === 0, 'B to forget its registration');
    await b.core.access('B', 'f'); // a read: registers, then fetches
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length >= 2, 'the delivery after B read again');
    expect(got[1]).toEqual(expect.objectContaining({ inode: 'f', flags: F.SIZE, origin: 'A' }));
  });

  test('a registration landing after a left-out change evicts once more before the read goes on', async () => {
    const [a, b] = [await head('a'), await head('b')];
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length === 1, 'the first delivery');
    // A read of f on B is in flight (fetched, not yet registered: a lookup's child) while A writes again.
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    expect(a.transport.counters.alreadyTold).toBe(1);
    await b.core.access('B', 'f', true);
    // Evicted before the registration resolved, so a fill after it cannot keep the older state.
    expect(inodeFlags(got)).toEqual([
      ['f', F.SIZE],
      ['f', F.SIZE],
    ]);
    expect(b.transport.counters.missedOnRegistration).toBe(1);
    // Nothing left out since: the next registration (after another delivery) evicts nothing extra.
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length === 3, 'the third delivery');
    await b.core.access('B', 'f', true);
    expect(got).toHaveLength(3);
  });

  test('a read that registers before it fetches is not evicted again: it fetches after what was left out', async () => {
    const [a, b] = [await head('a'), await head('b')];
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length === 1, 'the first delivery');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // left out
    await b.core.access('B', 'f'); // a GETATTR: registers, then reads
    expect(got).toHaveLength(1);
    expect(b.transport.counters.missedOnRegistration).toBe(0);
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // B registered since: told
    await waitFor(() => got.length === 2, 'the delivery after the registration');
  });

  test('in one batch (one script call), what a client was told earlier in the batch counts', async () => {
    const { core, transport } = await head('a');
    record(core, 'A1');
    record(core, 'A2');
    await core.access('A1', 'f');
    await core.access('A2', 'f');
    // Queued in one turn: one script call decides all four, memos and all. (What reaches the
    // caches may be coalesced per inode by the core; the store's decisions are counted here.)
    await Promise.all([
      core.change('A2', { inode: 'f', flags: F.SIZE }), // A1 told of SIZE
      core.change('A2', { inode: 'f', flags: F.MODE }), // A1 not told of MODE yet: told
      core.change('A2', { inode: 'f', flags: F.SIZE | F.MODE }), // A1 told of both: left out
      core.change('A1', { inode: 'f', flags: F.SIZE }), // A2 told; A1 stays told (it only wrote)
    ]);
    expect(core.stats().notifications).toBe(3);
    expect(transport.counters.alreadyTold).toBe(1);
    await core.change('A2', { inode: 'f', flags: F.SIZE }); // A1 told, not read since: left out
    await core.change('A1', { inode: 'f', flags: F.SIZE }); // A2 told, not read since: left out
    expect(core.stats().notifications).toBe(3);
    expect(transport.counters.alreadyTold).toBe(3);
  });
});
