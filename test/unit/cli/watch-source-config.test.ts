import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../../../cli/config';

describe('config: watchSource picks what reads inotify for the export watcher', () => {
  test("default 'parcel'; 'fs-watch' accepted", () => {
    expect(DEFAULT_CONFIG.watchSource).toBe('parcel');
    expect(resolveConfig({}).watchSource).toBe('parcel');
    expect(resolveConfig({ watchSource: 'fs-watch' }).watchSource).toBe('fs-watch');
  });

  test('anything else is a ConfigError naming the key', () => {
    expect(() => resolveConfig({ watchSource: 'chokidar' as never })).toThrow(ConfigError);
    expect(() => resolveConfig({ watchSource: 'chokidar' as never })).toThrow(/watchSource/);
  });
});
