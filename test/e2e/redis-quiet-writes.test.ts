import { UpcallFlags as F } from '../../upcall-core';
import { describePeer } from '../helpers/peers';
import { record, redisCores } from '../helpers/redis-cores';
import { REDIS_URL, redisAvailable } from '../helpers/redis-peer';
import { waitFor } from '../helpers/wait-for';

/**
 * Quiet writes (quiet-grants.ts, CHANGE_LUA, TOUCH_LUA): a writer whose other readers were all
 * told already stops asking the store for a lease; a read elsewhere recalls the grant, waits for
 * the holder, and evicts once more — so it never keeps what the quiet changes replaced.
 */
describePeer('Redis store: quiet writes', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  const cores = redisCores();
  const head = (name: string, quietLeaseMs = 1000) => cores.head(name, { quietLeaseMs });

  test('a writer whose reader was told goes quiet; the reader recalls the grant and waits for it', async () => {
    const [a, b] = [await head('a'), await head('b')];
    record(a.core, 'A');
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await a.core.change('A', { inode: 'f', flags: F.SIZE | F.TIMES }); // B told
    await a.core.change('A', { inode: 'f', flags: F.SIZE | F.TIMES }); // left out: A granted
    expect(a.transport.counters.grants).toBe(1);
    for (let i = 0; i < 5; i++) await a.core.change('A', { inode: 'f', flags: F.SIZE });
    expect(a.transport.counters.quietChanges).toBe(5);
    await a.core.change('A', { inode: 'f', flags: F.MODE }); // not granted: goes, and B is told
    await waitFor(() => got.length >= 2, 'two deliveries');
    expect(a.transport.counters.quietChanges).toBe(5);

    // B reads again: its registration recalls A's grant and waits for A's acknowledgement; the
    // read fetches after it, so nothing needs evicting once more.
    await waitFor(() => b.transport.freshRegistrations() === 0, 'B to forget its registration');
    const before = got.length;
    await b.core.access('B', 'f');
    expect(b.transport.counters.recallWaits).toBe(1);
    expect(a.transport.counters.recallsReceived).toBe(1);
    expect(b.transport.counters.ackTimeouts).toBe(0);
    expect(got.length).toBe(before);
    // A released the recalled grant (RELEASE_LUA, sent before its ack): another reader now
    // registers without recalling anything.
    record(b.core, 'B2');
    await b.core.access('B2', 'f');
    expect(b.transport.counters.recallWaits).toBe(1);

    // A's grant is gone: its next change goes to the store and reaches B.
    await a.core.change('A', { inode: 'f', flags: F.SIZE });
    await waitFor(() => got.length >= before + 1, 'the delivery after B read');
    expect(got[before]).toEqual(expect.objectContaining({ inode: 'f', flags: F.SIZE, origin: 'A' }));
    expect(a.transport.counters.quietChanges).toBe(5);
  });

  test("an object first met in a reply (fetched before it registered) is evicted once more after the holder's acknowledgement", async () => {
    const [a, b] = [await head('a'), await head('b')];
    record(a.core, 'A');
    const got = record(b.core, 'B');
    await b.core.access('B', 'f');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // B told
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // A granted
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // quiet
    expect(a.transport.counters.quietChanges).toBe(1);
    await waitFor(() => b.transport.freshRegistrations() === 0, 'B to forget its registration');
    const before = got.length;
    await b.core.access('B', 'f', true); // a LOOKUP's child: its attributes were read already
    expect(b.transport.counters.recallWaits).toBe(1);
    expect(got.length).toBe(before + 1);
    expect(got[before]).toEqual(expect.objectContaining({ inode: 'f', origin: 'B' }));
  });

  test('two heads writing one file in turn both go quiet', async () => {
    const [a, b] = [await head('a'), await head('b')];
    record(a.core, 'A');
    record(b.core, 'B');
    for (let i = 0; i < 10; i++) {
      await a.core.change('A', { inode: 'f', flags: F.SIZE | F.TIMES });
      await b.core.change('B', { inode: 'f', flags: F.SIZE | F.TIMES });
    }
    const sent = a.core.stats().notifications + b.core.stats().notifications;
    expect(sent).toBeLessThanOrEqual(2); // each told the other once
    expect(a.transport.counters.quietChanges + b.transport.counters.quietChanges).toBeGreaterThanOrEqual(14);
  });

  test("a client's first change of the inode recalls the grants: it was never told", async () => {
    const [a, b] = [await head('a'), await head('b')];
    record(a.core, 'A');
    const got = record(b.core, 'B');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // nobody else: granted at once
    expect(a.transport.counters.grants).toBe(1);
    await b.core.change('B', { inode: 'f', flags: F.SIZE }); // B joins untold: recalls A's grant
    await waitFor(() => a.transport.counters.recallsReceived === 1, 'the recall');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // to the store: reaches B
    await waitFor(() => got.length === 1, "A's change to reach B");
    expect(a.transport.counters.quietChanges).toBe(0);
  });

  test('entry changes, other flags and other inodes never go quiet', async () => {
    const { core, transport } = await head('a');
    record(core, 'A');
    await core.change('A', { inode: 'f', flags: F.SIZE | F.TIMES }); // granted SIZE|TIMES|... on f
    await core.change('A', { inode: 'g', flags: F.SIZE });
    await core.change('A', { inode: 'f', flags: F.TIMES, name: 'x' });
    await core.change('A', { inode: 'f', flags: F.XATTR, xattrs: ['user.a'] });
    await core.change('A', { inode: 'f', flags: F.SIZE });
    expect(transport.counters.quietChanges).toBe(1);
  });

  test('a holder that never acknowledges (its head is gone) holds a reader up to the lease, not forever', async () => {
    const [a, b] = [await head('a', 400), await head('b', 400)];
    record(a.core, 'A');
    record(b.core, 'B');
    await a.core.change('A', { inode: 'f', flags: F.SIZE }); // granted: nobody else
    expect(a.transport.counters.grants).toBe(1);
    await a.core.close(); // its stream is read by nobody now
    await b.core.access('B', 'f');
    expect(b.transport.counters.recallWaits).toBe(1);
    expect(b.transport.counters.ackTimeouts).toBe(1);
  });
});
