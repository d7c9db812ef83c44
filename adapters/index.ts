/** Adapters: from upcall events to evictions in a protocol server's caches. */
export type { CacheAdapter } from './cache-adapter';
export { applyPlan, type EvictionStep, evictionPlan } from './eviction-plan';
export { attachNfsAdapter, type NfsAdapterOptions } from './nfs/nfs-adapter';
export { type LeaseBreaker, LeaseFeed } from './smb/lease-feed';
export { NotifyFeed, type NotifySink, notifyFromChange, tapChanges } from './smb/notify-feed';
export { attachSmbAdapter, type SmbAdapterOptions } from './smb/smb-adapter';
