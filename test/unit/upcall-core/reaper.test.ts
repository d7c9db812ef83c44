import { MIN_REAPER_INTERVAL_MS, REAPER_STEP_SLOTS } from '../../../upcall-core/reaper';
import { T_MS, virtualCore } from '../../helpers/virtual-time';

describe('rule 5: the reaper', () => {
  test('deletes clients idle for more than 2T, keeps younger ones, drops empty inodes', () => {
    const { core, time } = virtualCore();
    core.access('A', 'old');
    time.advance(T_MS);
    core.access('B', 'young');
    core.access('B', 'old');
    time.advance(T_MS + T_MS / 2); // A on 'old' is now 2.5T idle; B is 1.5T idle
    expect(core.lastAccess('A', 'old')).toBeUndefined();
    expect(core.lastAccess('B', 'old')).toBe(T_MS);
    expect(core.stats()).toMatchObject({ trackedInodes: 2, clientEntries: 2 });
    time.advance(T_MS);
    expect(core.stats()).toMatchObject({ trackedInodes: 0, clientEntries: 0 });
    expect(core.stats().reapedInodes).toBe(2);
  });

  test('passes run every T/2', () => {
    const { core, time } = virtualCore();
    time.advance(T_MS * 5);
    expect(core.stats().reaperPasses).toBe(10);
  });

  test.each([0, 1])('with T = %i s there is no busy loop: at most one pass per %i ms', (t) => {
    const { core, time } = virtualCore();
    core.reconfigure({ 'features.cache-invalidation-timeout': t });
    time.advance(10_000);
    expect(core.stats().reaperPasses).toBeLessThanOrEqual(10_000 / MIN_REAPER_INTERVAL_MS);
    expect(core.stats().reaperPasses).toBeGreaterThan(0);
  });

  test('a big table is reaped in steps, yielding between them', () => {
    const { core, time } = virtualCore();
    const n = REAPER_STEP_SLOTS * 3 + 5;
    for (let i = 0; i < n; i++) core.access('A', `i${i}`);
    const actions: number[] = [];
    const realSchedule = time.scheduler.schedule.bind(time.scheduler);
    time.scheduler.schedule = ((work: never, delay?: number, state?: never) => {
      actions.push(delay ?? 0);
      return realSchedule(work, delay, state);
    }) as typeof time.scheduler.schedule;
    time.advance(2 * T_MS + T_MS / 2 + 1);
    expect(core.stats().trackedInodes).toBe(0);
    // Each pass over 3+ steps' worth of slots schedules its follow-up steps with delay 0.
    expect(actions.filter((d) => d === 0).length).toBeGreaterThanOrEqual(3);
  });

  test('disabling stops the reaper', () => {
    const { core, time } = virtualCore();
    core.reconfigure({ 'features.cache-invalidation': false });
    time.advance(T_MS * 3);
    expect(core.stats().reaperPasses).toBe(0);
  });
});
