/** upcall-core: GlusterFS-style cache invalidation as RxJS streams. */
export { coalesceByInode } from './delivery/coalesce-by-inode';
export { DeliveryHub, type DeliveryHubConfig } from './delivery/delivery-hub';
export { ClosedError, InvalidArgumentError, InvalidOptionError, UpcallError } from './errors';
export { ALL_FLAGS, ATTR_FLAGS, flagNames, type UpcallFlagName, UpcallFlags } from './flags';
export {
  FOP_RULES,
  type FopRule,
  type ModifyFop,
  READ_FOPS,
  type ReadFop,
  type SetattrView,
  setattrFlags,
} from './fop-rules';
export {
  DEFAULT_OPTIONS,
  MAX_TIMEOUT_SECONDS,
  resolveOptions,
  type UpcallOptions,
  type UpcallOptionsInput,
} from './options';
export type { TransportedChange, TransportSink, UpcallTransport } from './transport';
export { type TransportCoreConfig, TransportUpcallCore } from './transport-core';
export type {
  CacheLimits,
  ChangeEvent,
  ClientId,
  FlushAll,
  FlushReason,
  InodeInvalidation,
  InodeKey,
  Invalidation,
  LinkState,
  UpcallCore,
  UpcallStats,
} from './types';
export { createUpcallCore, InMemoryUpcallCore, type UpcallCoreConfig } from './upcall-core';
