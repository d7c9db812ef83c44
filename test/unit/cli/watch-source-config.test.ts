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
