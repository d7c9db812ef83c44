import { TestScheduler } from 'rxjs/testing';
import { coalesceByInode, UpcallFlags as F, type Invalidation } from '../../../upcall-core';

const ev = (inode: string, flags: number, extra: object = {}): Invalidation =>
  ({
    kind: 'inode',
    inode,
    flags,
    origin: 'o',
    target: 't',
    expireTimeAttr: 60,
    seq: 0,
    at: 0,
    ...extra,
  }) as Invalidation;
const flush: Invalidation = { kind: 'flush-all', reason: 'overflow', target: 't', seq: 9, at: 0 };

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('coalesceByInode', () => {
  test('a burst for one inode within the window becomes one event with flags OR-ed', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a b c', { a: ev('f', F.SIZE), b: ev('f', F.TIMES), c: ev('f', F.MODE) });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 5, scheduler: ts }))).toBe('-----x', {
        x: ev('f', F.SIZE | F.TIMES | F.MODE),
      });
    });
  });

  test('no event waits longer than the window; the next burst opens a new window', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a 5ms b', { a: ev('f', F.SIZE), b: ev('f', F.MODE) });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 3, scheduler: ts }))).toBe('---x 5ms y', {
        x: ev('f', F.SIZE),
        y: ev('f', F.MODE),
      });
    });
  });

  test('different inodes are kept apart and emitted in arrival order', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('ab', { a: ev('f', F.SIZE), b: ev('g', F.SIZE) });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 2, scheduler: ts }))).toBe('--(xy)', {
        x: ev('f', F.SIZE),
        y: ev('g', F.SIZE),
      });
    });
  });

  test('maxPending bounds memory: reaching it emits everything held at once', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('ab', { a: ev('f', F.SIZE), b: ev('g', F.SIZE) });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 100, maxPending: 2, scheduler: ts }))).toBe(
        '-(xy)',
        {
          x: ev('f', F.SIZE),
          y: ev('g', F.SIZE),
        },
      );
    });
  });

  test('a flush-all supersedes what is held and passes at once', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const src = cold('a-F', { a: ev('f', F.SIZE), F: flush });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 10, scheduler: ts }))).toBe('--F', { F: flush });
    });
  });

  test('completion emits what is held first; unsubscribing cancels the window timer', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a|', { a: ev('f', F.SIZE) });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 10, scheduler: ts }))).toBe('-(x|)', {
        x: ev('f', F.SIZE),
      });
      expectSubscriptions(src.subscriptions).toBe('^!');
    });
  });

  test('incompatible events for one inode (different renames) are not merged', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const r1 = ev('f', F.RENAME, { name: 'y', oldName: 'x' });
      const r2 = ev('f', F.RENAME, { name: 'z', oldName: 'y' });
      const src = cold('ab', { a: r1, b: r2 });
      expectObservable(src.pipe(coalesceByInode({ windowMs: 2, scheduler: ts }))).toBe('--(xy)', {
        x: r1,
        y: r2,
      });
    });
  });

  test('counts what it merged', () => {
    const ts = scheduler();
    let n = 0;
    ts.run(({ cold, expectObservable }) => {
      const src = cold('aaa', { a: ev('f', F.SIZE) });
      expectObservable(
        src.pipe(coalesceByInode({ windowMs: 3, scheduler: ts, onCoalesced: (k) => (n += k) })),
      ).toBe('---x', { x: ev('f', F.SIZE) });
    });
    expect(n).toBe(2);
  });

  test('refuses a bad configuration', () => {
    expect(() => coalesceByInode({ windowMs: -1 })).toThrow(RangeError);
    expect(() => coalesceByInode({ windowMs: 1, maxPending: 0 })).toThrow(RangeError);
  });
});
