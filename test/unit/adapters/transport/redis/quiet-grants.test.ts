import { QuietGrants } from '../../../../../adapters/transport/redis/quiet-grants';
import { UpcallFlags as F } from '../../../../../upcall-core';

let clock = 1_000_000;
const grants = () => new QuietGrants(1000, () => clock);

test('a grant covers changes of its flags on its inode for its client, until 90 % of its lease', () => {
  const g = grants();
  g.install('A', 'f', F.SIZE | F.TIMES, clock + 1000, clock);
  expect(g.covers('A', 'f', F.SIZE)).toBe(true);
  expect(g.covers('A', 'f', F.SIZE | F.MODE)).toBe(false);
  expect(g.covers('B', 'f', F.SIZE)).toBe(false);
  expect(g.covers('A', 'g', F.SIZE)).toBe(false);
  clock += 899;
  expect(g.covers('A', 'f', F.SIZE)).toBe(true);
  clock += 1; // the store's clock may be behind ours: we stop early
  expect(g.covers('A', 'f', F.SIZE)).toBe(false);
  expect(g.size).toBe(0);
});

test('a recall that overtook its grant keeps that grant from being installed; a newer grant survives an older recall', () => {
  const g = grants();
  g.recall('A', 'f', 5000);
  g.install('A', 'f', F.SIZE, 5000, clock);
  expect(g.covers('A', 'f', F.SIZE)).toBe(false);
  g.install('A', 'f', F.SIZE, 6000, clock); // granted after the recall
  g.recall('A', 'f', 5000); // late copy of the old recall
  expect(g.covers('A', 'f', F.SIZE)).toBe(true);
  g.recall('A', 'f', 6000);
  expect(g.covers('A', 'f', F.SIZE)).toBe(false);
});

test('a forget (recall 0), a gap on the client (dropClient) and a link loss (clear) end grants', () => {
  const g = grants();
  g.install('A', 'f', F.SIZE, 1, clock);
  g.install('A', 'g', F.SIZE, 1, clock);
  g.install('B', 'g', F.SIZE, 1, clock);
  g.recall('A', 'f', 0);
  expect(g.covers('A', 'f', F.SIZE)).toBe(false);
  g.dropClient('A');
  expect(g.covers('A', 'g', F.SIZE)).toBe(false);
  expect(g.covers('B', 'g', F.SIZE)).toBe(true);
  g.clear();
  expect(g.size).toBe(0);
});
