import { SharedNotes } from '../../../../../adapters/transport/redis/shared-notes';

const turn = () => new Promise((r) => setTimeout(r, 30));

describe('SharedNotes: one script call per gathering (20 ms), each key once with its last value', () => {
  test('a key noted three times in one gathering is sent once, with the last value; the next one sends again', async () => {
    const calls: (string | number)[][] = [];
    const notes = new SharedNotes(
      'ns:',
      () => undefined,
      async (args) => calls.push(args),
      () => true,
    );
    notes.put([['i:1', 'a']], 2000);
    notes.put([['i:2', 'x']], 2000);
    notes.put([['i:1', 'b']], 2000);
    notes.put([['i:1', 'c']], 2000);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]); // still gathering
    await turn();
    expect(calls).toEqual([['ns:', 2000, 'i:1', 'c', 'i:2', 'x']]);
    expect(notes.coalesced).toBe(2);
    notes.put([['i:1', 'd']], 2000);
    await turn();
    expect(calls[1]).toEqual(['ns:', 2000, 'i:1', 'd']);
  });

  test('while the link is down nothing is kept or sent', async () => {
    const calls: unknown[] = [];
    const notes = new SharedNotes(
      'ns:',
      () => undefined,
      async (args) => calls.push(args),
      () => false,
    );
    notes.put([['i:1', 'a']], 2000);
    await turn();
    expect(calls).toEqual([]);
  });
});
