import { WATCH_SOURCES, type WatchSource } from '../../adapters/watcher/watch-switch';

/**
 * The export watcher's source for e2e heads: `UPCALL_TEST_WATCH_SOURCE=parcel npx jest …` runs
 * the e2e suites over another source than the gateway's default (fs-watch-thread), without every
 * suite running three times.
 */
export function testWatchSource(): WatchSource | undefined {
  const v = process.env.UPCALL_TEST_WATCH_SOURCE;
  return WATCH_SOURCES.find((s) => s === v);
}
