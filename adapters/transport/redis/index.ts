/** The Redis store and transport: several gateway heads coherent through one Redis. */
export { createRedisUpcallCore, type RedisCoreOptions } from './create-redis-core';
export { RedisUnavailableError } from './errors';
export { type EventCodec, jsonCodec, type WireChange } from './event-codec';
export { SCRIPTS } from './lua-scripts';
export { RedisTransport, type RedisTransportOptions } from './redis-transport';
