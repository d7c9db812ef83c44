import { createRedisUpcallCore, type RedisTransportOptions } from '../../adapters/transport/redis';
import type { Invalidation, TransportUpcallCore } from '../../upcall-core';
import { dropNamespace, REDIS_URL, testNamespace } from './redis-peer';

const on = { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 } as const;

/**
 * Heads (cores over the Redis store) in a namespace of one test's own, all closed and the
 * namespace dropped after each test. Call inside a describe block.
 */
export function redisCores(defaults: Partial<RedisTransportOptions> = {}) {
  let ns = '';
  const cores: TransportUpcallCore[] = [];

  beforeEach(() => {
    ns = testNamespace();
  });

  afterEach(async () => {
    await Promise.all(cores.splice(0).map((c) => c.close()));
    await dropNamespace(ns);
  });

  return {
    async head(name: string, options: Partial<RedisTransportOptions> = {}) {
      const { core, transport } = await createRedisUpcallCore({
        options: on,
        redis: { url: REDIS_URL, namespace: ns, name: `${ns}${name}`, ...defaults, ...options },
      });
      cores.push(core);
      return { core, transport };
    },
  };
}

/** Everything `client` is told, in order, from now on. */
export function record(core: TransportUpcallCore, client: string): Invalidation[] {
  const got: Invalidation[] = [];
  core.events(client).subscribe((e) => got.push(e));
  return got;
}
