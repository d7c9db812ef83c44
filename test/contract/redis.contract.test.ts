import { createRedisUpcallCore } from '../../adapters/transport/redis';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';
import { runUpcallCoreContract } from './upcall-core.contract';

/**
 * The Redis store runs the same kit as the in-memory one, against a real Redis (skipped loudly
 * where none answers; a failure in CI). Each core gets its own key namespace.
 */
describePeer('Redis store', `redis-server at ${REDIS_URL}`, redisAvailable, () => {
  runUpcallCoreContract('redis', async () => {
    const namespace = testNamespace();
    const { core } = await createRedisUpcallCore({ redis: { url: REDIS_URL, namespace, name: 'contract' } });
    return {
      core,
      async close() {
        await core.close();
        await dropNamespace(namespace);
      },
    };
  });
});
