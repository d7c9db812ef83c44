/** Contract kits a third party runs against its own implementation (with jest). */
export { type AttachAdapter, recordingCache, runAdapterContract } from './adapter.contract';
export { type BuildCore, type CoreUnderTest, runUpcallCoreContract } from './upcall-core.contract';
