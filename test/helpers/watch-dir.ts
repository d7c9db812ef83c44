import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportWatcher, type ExportWatcherOptions } from '../../adapters/watcher/export-watcher';
import type { Attrs } from '../../gateway/backend/attrs';
import { createUpcallCore, type Invalidation, type UpcallCore } from '../../upcall-core';

/** What a watcher test works on; fields are set afresh before each test. */
export interface WatchDir {
  /** A fresh, empty directory (the export). */
  dir: string;
  core: UpcallCore<Attrs>;
  /** Everything the holder received, in order. */
  got: Invalidation<Attrs>[];
  /** Closed after each test, last first (watchers, elections…), before the core and the directory go. */
  readonly closing: { close(): Promise<void> }[];
}

/**
 * Registers beforeEach/afterEach hooks for tests of the export watcher on a real directory: a
 * fresh directory, an in-process core (cache invalidation `on` unless told) and a holder whose
 * invalidations are collected.
 */
export function useWatchDir(prefix: string, o: { on?: boolean; holder?: string } = {}): WatchDir {
  const t = { dir: '', got: [], closing: [] } as unknown as WatchDir;
  beforeEach(async () => {
    t.dir = await mkdtemp(join(tmpdir(), prefix));
    t.core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': o.on ?? true } });
    t.got = [];
    t.core.events(o.holder ?? 'h/nfs').subscribe((ev) => t.got.push(ev));
  });
  afterEach(async () => {
    for (const c of t.closing.splice(0).reverse()) await c.close();
    t.core.close();
    await rm(t.dir, { recursive: true, force: true });
  });
  return t;
}

/** An ExportWatcher on `t`'s directory and core, origin `h/watcher`, holder `h/nfs`; closed after the test. */
export async function startWatcher(
  t: WatchDir,
  o: Partial<ExportWatcherOptions> = {},
): Promise<ExportWatcher> {
  const w = await ExportWatcher.start({
    root: t.dir,
    core: t.core,
    origin: 'h/watcher',
    holders: () => ['h/nfs'],
    ...o,
  });
  t.closing.push(w);
  return w;
}
