/**
 * What the gateway's own-change notes (adapters/watcher/recent-changes.ts) cost each write: the
 * note every WRITE makes for the export watcher, in memory (one head, or the elected watcher's
 * head: notes stay local) and shared (another head's watcher: a stamp string and a put to the
 * store, here a store that drops them). Attributes vary per call as post-op attributes do.
 *
 *   node bench/run.js note-cost        (a few seconds)
 */

import { RecentChangeSet } from '../adapters/watcher/recent-changes';
import { SharedRecentChanges } from '../adapters/watcher/shared-recent-changes';
import type { Attrs } from '../gateway/backend/attrs';
import { FileType } from '../gateway/backend/attrs';
import { type Row, report } from './harness';

const N = 1_000_000;
const FILES = 100;
const base: Attrs = {
  type: FileType.REG,
  mode: 0o644,
  nlink: 1,
  uid: 1000,
  gid: 1000,
  size: 4096,
  used: 4096,
  rdev: { major: 0, minor: 0 },
  fsid: 1n,
  fileid: 1n,
  atime: { sec: 1_700_000_000, nsec: 0 },
  mtime: { sec: 1_700_000_000, nsec: 0 },
  ctime: { sec: 1_700_000_000, nsec: 0 },
  birthtime: { sec: 1_700_000_000, nsec: 0 },
};

/** ns per call of `note`, after a warm-up of the same length. */
function nsPerNote(note: (inode: string, attrs: Attrs) => void): number {
  const states = Array.from({ length: 64 }, (_, i) => ({
    ...base,
    size: 4096 + i,
    ctime: { sec: 1_700_000_000, nsec: i },
  }));
  const run = () => {
    for (let i = 0; i < N; i++) note(`${i % FILES}`, states[i & 63]);
  };
  run();
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0) / N;
}

const dropStore = { put: () => {}, get: async (k: readonly string[]) => k.map(() => null) };
const rows: Row[] = [
  ['in memory (1 head, or the watching head)', new RecentChangeSet()],
  [
    'shared, this head watching (kept local)',
    new SharedRecentChanges(dropStore, undefined, undefined, () => false),
  ],
  ['shared, another head watching (stamp + put)', new SharedRecentChanges(dropStore)],
].map(([what, r]) => {
  const recent = r as RecentChangeSet;
  return {
    bench: 'note-cost',
    metric: `note per write, ${what}`,
    value: nsPerNote((i, a) => recent.note(i, a)),
    unit: 'ns',
  };
});
report('note-cost', rows);
