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

describe('config: the export watcher windows and thread pause', () => {
  test('defaults 30 / 120 / 50 ms, and values given are kept', () => {
    const c = resolveConfig({});
    expect([c.watchBatchMs, c.watchMaxBatchMs, c.watchPauseMs, c.watchHandoverRate]).toEqual([
      30, 120, 50, 500,
    ]);
    expect(resolveConfig({ watchHandoverRate: 0 }).watchHandoverRate).toBe(0);
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
  ])('%j is a ConfigError naming the key', (layer, message) => {
    expect(() => resolveConfig(layer)).toThrow(ConfigError);
    expect(() => resolveConfig(layer)).toThrow(message);
  });
});
