/** adapters/watcher: changes made to the export outside the gateway, as upcalls. */
export { ChangeBatch, type ChangeBatchStats, type PathChange, type WindowChange } from './change-batch';
export { ChangeMapper, WATCH_FLAGS } from './change-mapper';
export {
  DirWatchError,
  type DirWatchSubscription,
  subscribeDirs,
  type WatchEvent,
  WatchOverflowError,
  WatchRootGoneError,
} from './dir-watch-source';
export { type DirWatchThreadOptions, subscribeDirsInThread, WatchThreadError } from './dir-watch-thread';
export { ExportWatcher, type ExportWatcherOptions, type ExportWatcherStats } from './export-watcher';
export { notingCore } from './noting-core';
export { PathInodes } from './path-inodes';
export { RecentChangeSet, type RecentChanges, stampOf } from './recent-changes';
export { type NoteStore, SharedRecentChanges } from './shared-recent-changes';
export { watchDomain } from './watch-domain';
export { WATCH_SOURCES, type WatchSource } from './watch-switch';
export {
  WatcherElection,
  type WatcherElectionOptions,
  type WatcherElectionStats,
  type WatcherLease,
} from './watcher-election';
