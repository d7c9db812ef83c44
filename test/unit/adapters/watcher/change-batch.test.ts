import { ChangeBatch } from '../../../../adapters/watcher/change-batch';

describe('ChangeBatch: one pending entry per path, bounded', () => {
  test('events for one path within a window dedupe into one entry', () => {
    const b = new ChangeBatch(10);
    b.add('/x/a', 'create');
    b.add('/x/a', 'update');
    b.add('/x/a', 'update');
    const { overflowed, changes } = b.take();
    expect(overflowed).toBe(false);
    expect([...changes]).toEqual([['/x/a', 'create-update']]);
    expect(b.stats()).toMatchObject({ events: 3, deduped: 2, pending: 0 });
  });

  test('create and update (either order) stay apart from a plain create until a delete', () => {
    const b = new ChangeBatch(10);
    b.add('/a', 'create');
    b.add('/a', 'update');
    b.add('/a', 'create');
    b.add('/b', 'create');
    b.add('/b', 'update');
    b.add('/b', 'delete');
    b.add('/c', 'delete');
    b.add('/c', 'create');
    b.add('/d', 'update');
    b.add('/d', 'create');
    expect(Object.fromEntries(b.take().changes)).toEqual({
      '/a': 'create-update',
      '/b': 'delete',
      '/c': 'create',
      '/d': 'create-update',
    });
  });

  test('delete then create of a path is a create; create then delete is a delete', () => {
    const b = new ChangeBatch(10);
    b.add('/a', 'delete');
    b.add('/a', 'create');
    b.add('/b', 'create');
    b.add('/b', 'delete');
    expect(Object.fromEntries(b.take().changes)).toEqual({ '/a': 'create', '/b': 'delete' });
  });

  test('past the bound the window forgets its paths and reports one overflow', () => {
    const b = new ChangeBatch(100);
    for (let i = 0; i < 10_000; i++) b.add(`/f${i}`, 'create');
    expect(b.stats()).toMatchObject({ maxPending: 100, pending: 0, overflows: 1, events: 10_000 });
    const w = b.take();
    expect(w.overflowed).toBe(true);
    expect(w.changes.size).toBe(0);
    expect(b.empty).toBe(true);
  });

  test('after an overflowed window the next one starts clean', () => {
    const b = new ChangeBatch(2);
    for (const p of ['/a', '/b', '/c']) b.add(p, 'create');
    b.take();
    b.add('/d', 'update');
    expect(b.take()).toEqual({ overflowed: false, changes: new Map([['/d', 'update']]) });
  });
});
