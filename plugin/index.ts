/** The plugin: what a gateway installs to feed the upcall core and keep its caches within the rules. */

export { inodeKeyOf, inoOfKey } from '../gateway/backend/inode-key';
export { capCacheTtl, TTL_MARGIN_MS, type TtlCapped } from './cache-ttl';
export { withUpcall } from './with-upcall';
