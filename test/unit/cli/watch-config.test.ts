import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../../../cli/config';

describe('config: watchSource picks what reads inotify for the export watcher', () => {
  test("default 'fs-watch-thread'; 'fs-watch' and 'parcel' accepted", () => {
    expect(DEFAULT_CONFIG.watchSource).toBe('fs-watch-thread');
    expect(resolveConfig({}).watchSource).toBe('fs-watch-thread');
    expect(resolveConfig({ watchSource: 'fs-watch' }).watchSource).toBe('fs-watch');
    expect(resolveConfig({ watchSource: 'parcel' }).watchSource).toBe('parcel');
  });

  test('anything else is a ConfigError naming the key', () => {
    expect(() => resolveConfig({ watchSource: 'chokidar' as never })).toThrow(ConfigError);
    expect(() => resolveConfig({ watchSource: 'chokidar' as never })).toThrow(/watchSource/);
  });
});

describe('config: the export watcher windows, thread pause and election', () => {
  test('defaults 30 / 120 / 50 ms, 500/s, 6 s lease, 30 s hold; values given are kept', () => {
    const c = resolveConfig({});
    expect([c.watchBatchMs, c.watchMaxBatchMs, c.watchPauseMs, c.watchHandoverRate]).toEqual([
      30, 120, 50, 500,
    ]);
    expect(resolveConfig({ watchHandoverRate: 0 }).watchHandoverRate).toBe(0);
    expect([c.watchLeaseMs, c.watchHandoverHoldMs]).toEqual([6000, 30_000]);
    const e = resolveConfig({ watchLeaseMs: 300, watchHandoverHoldMs: 0 });
    expect([e.watchLeaseMs, e.watchHandoverHoldMs]).toEqual([300, 0]);
    const d = resolveConfig({ watchBatchMs: 10, watchMaxBatchMs: 10, watchPauseMs: 0 });
    expect([d.watchBatchMs, d.watchMaxBatchMs, d.watchPauseMs]).toEqual([10, 10, 0]);
  });

  test.each([
    [{ watchBatchMs: 0 }, /watchBatchMs/],
    [{ watchMaxBatchMs: 20_000 }, /watchMaxBatchMs/],
    [{ watchPauseMs: -1 }, /watchPauseMs/],
    [{ watchPauseMs: 2.5 }, /watchPauseMs/],
    [{ watchBatchMs: '30' as never }, /watchBatchMs/],
    [{ watchBatchMs: 200 }, /watchMaxBatchMs: must not be below watchBatchMs \(120 < 200\)/],
    [{ watchHandoverRate: -1 }, /watchHandoverRate/],
    [{ watchHandoverRate: 1.5 }, /watchHandoverRate/],
    [{ watchLeaseMs: 299 }, /watchLeaseMs: expected whole ms between 300 and 600000, got 299/],
    [{ watchLeaseMs: 1000.5 }, /watchLeaseMs/],
    [{ watchHandoverHoldMs: -1 }, /watchHandoverHoldMs/],
    [{ watchHandoverHoldMs: 'long' as never }, /watchHandoverHoldMs/],
  ])('%j is a ConfigError naming the key', (layer, message) => {
    expect(() => resolveConfig(layer)).toThrow(ConfigError);
    expect(() => resolveConfig(layer)).toThrow(message);
  });
});
