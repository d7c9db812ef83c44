import { type TransportCoreConfig, TransportUpcallCore } from '../../../upcall-core';
import { RedisTransport, type RedisTransportOptions } from './redis-transport';

export interface RedisCoreOptions<S> extends TransportCoreConfig {
  readonly redis: RedisTransportOptions<S>;
}

/** A core of one head among several, its table and deliveries in Redis; resolves once the link is up. */
export async function createRedisUpcallCore<S = unknown>(
  o: RedisCoreOptions<S>,
): Promise<{ core: TransportUpcallCore<S>; transport: RedisTransport<S> }> {
  const transport = new RedisTransport<S>(o.redis);
  const core = new TransportUpcallCore<S>(transport, o);
  try {
    await core.start();
  } catch (err) {
    await core.close().catch(() => {});
    throw err;
  }
  return { core, transport };
}
