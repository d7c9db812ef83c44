import type { WatchSource } from '../../adapters/watcher/watch-switch';

/**
 * The export watcher's source for e2e heads: `UPCALL_TEST_WATCH_SOURCE=fs-watch npx jest …` runs
 * the e2e suites over the fs.watch source instead of the gateway's default (parcel), without
 * every suite running twice.
 */
export function testWatchSource(): WatchSource | undefined {
  const v = process.env.UPCALL_TEST_WATCH_SOURCE;
  return v === 'parcel' || v === 'fs-watch' ? v : undefined;
}
