import {
  createUpcallCore,
  DEFAULT_OPTIONS,
  UpcallFlags as F,
  InvalidOptionError,
  resolveOptions,
} from '../../../upcall-core';
import { record, T_MS, virtualCore } from '../../helpers/virtual-time';

describe('options (rule 6)', () => {
  test('defaults are GlusterFS\u2019s: off, 60 s', () => {
    expect(DEFAULT_OPTIONS).toEqual({
      'features.cache-invalidation': false,
      'features.cache-invalidation-timeout': 60,
    });
    const core = createUpcallCore();
    expect(core.options).toEqual(DEFAULT_OPTIONS);
    core.close();
  });

  test.each([
    ['on', true],
    ['OFF', false],
    ['enable', true],
    ['no', false],
    [true, true],
  ])('cache-invalidation accepts %p', (v, want) => {
    expect(resolveOptions({ 'features.cache-invalidation': v })['features.cache-invalidation']).toBe(want);
  });

  test('numeric strings are accepted for the timeout', () => {
    expect(
      resolveOptions({ 'features.cache-invalidation-timeout': '600' })['features.cache-invalidation-timeout'],
    ).toBe(600);
  });

  test.each([-1, 1.5, Number.NaN, '10s', '', '-5', 1e12, null, {}])(
    'timeout %p is refused with a clear error',
    (v) => {
      expect(() => resolveOptions({ 'features.cache-invalidation-timeout': v as never })).toThrow(
        InvalidOptionError,
      );
      expect(() => resolveOptions({ 'features.cache-invalidation-timeout': v as never })).toThrow(
        /features\.cache-invalidation-timeout.*whole number of seconds/,
      );
    },
  );

  test.each(['maybe', 2, null])('cache-invalidation %p is refused', (v) => {
    expect(() => resolveOptions({ 'features.cache-invalidation': v as never })).toThrow(/expected on\/off/);
  });

  test('an unknown (misspelt) option is refused, not ignored', () => {
    expect(() => resolveOptions({ 'features.cache-invalidaton': 'on' } as never)).toThrow(
      /features\.cache-invalidaton/,
    );
  });

  test('a refused reconfigure changes nothing', () => {
    const { core } = virtualCore();
    expect(() =>
      core.reconfigure({ 'features.cache-invalidation': 'off', 'features.cache-invalidation-timeout': -3 }),
    ).toThrow(InvalidOptionError);
    expect(core.options['features.cache-invalidation']).toBe(true);
  });

  test('options$ tells the current options and every change', () => {
    const { core } = virtualCore();
    const seen: number[] = [];
    core.options$().subscribe((o) => seen.push(o['features.cache-invalidation-timeout']));
    core.reconfigure({ 'features.cache-invalidation-timeout': 5 });
    expect(seen).toEqual([60, 5]);
  });
});

describe('reconfigure at run time', () => {
  test('a shorter timeout applies at once to existing registrations', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    time.advance(10_000);
    core.reconfigure({ 'features.cache-invalidation-timeout': 5 });
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(a).toEqual([]);
    core.reconfigure({ 'features.cache-invalidation-timeout': 60 });
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(a).toHaveLength(1);
  });

  test('disabling stops notifications and tracking; re-enabling resumes, flushing subscribed caches first', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.reconfigure({ 'features.cache-invalidation': 'off' });
    core.change('B', { inode: 'f', flags: F.SIZE });
    core.access('A', 'g');
    time.settle();
    expect(a).toEqual([]);
    expect(core.stats().trackedInodes).toBe(0);
    core.reconfigure({ 'features.cache-invalidation': 'on' });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ kind: 'flush-all', reason: 'reenabled' })]);
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(a).toHaveLength(2);
    expect(a[1]).toMatchObject({ kind: 'inode', inode: 'f' });
  });

  test('a disabled core still validates its input', () => {
    const core = createUpcallCore();
    expect(() => core.change('B', { inode: 'f', flags: 0 })).toThrow(/invalid flags/);
    core.close();
  });

  test('T changes move the reaper: with T = 1 s an idle entry is gone after 2T plus one pass', () => {
    const { core, time } = virtualCore();
    core.reconfigure({ 'features.cache-invalidation-timeout': 1 });
    core.access('A', 'f');
    time.advance(2000 + 500 + 1);
    expect(core.stats().trackedInodes).toBe(0);
    expect(T_MS).toBe(60_000);
  });
});
