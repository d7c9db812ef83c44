import { type HeadPair, startPair } from '../helpers/heads';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * The cross-head rounds of heads-coherence.test.ts, with libnfs itself as the client (every
 * operation a fresh libnfs process, mount and connection, so nothing is cached client-side):
 * stat / ls through B, write, truncate, chmod, create, rename, unlink through A, then B's first
 * answer must be the new one, in every one of 100 rounds (A replies only once B acknowledged its
 * eviction). Each round is several processes, so a test takes seconds.
 */
const ROUNDS = 100;
const TEST_MS = 180_000;

describePeer(
  'two heads through Redis, seen by libnfs',
  `libnfs-tool (gcc + libnfs-dev) + redis-server at ${REDIS_URL}`,
  libnfsToolBuildable && redisAvailable,
  () => {
    let pair: HeadPair;
    let a: LibnfsTool;
    let b: LibnfsTool;

    beforeAll(async () => {
      pair = await startPair({ redisUrl: REDIS_URL, namespace: testNamespace(), dropNamespace });
      a = libnfsTool(pair.a.url);
      b = libnfsTool(pair.b.url);
      await a.creat('/f', 0o644);
    });

    afterAll(() => pair?.close());

    test(
      `size after write and truncate through A, first stat through B (${ROUNDS} rounds each)`,
      async () => {
        let size = 0;
        for (let i = 0; i < ROUNDS; i++) {
          expect((await b.stat('/f')).size).toBe(size);
          await a.write('/f', size, 'abc');
          size += 3;
          expect((await b.stat('/f')).size).toBe(size);
          size = i + 1;
          await a.truncate('/f', size);
          expect((await b.stat('/f')).size).toBe(size);
        }
      },
      TEST_MS,
    );

    test(
      `mode after chmod through A (${ROUNDS} rounds)`,
      async () => {
        for (let i = 0; i < ROUNDS; i++) {
          const before = (await b.stat('/f')).mode & 0o7777;
          const mode = before === 0o644 ? 0o600 : 0o644;
          await a.chmod('/f', mode);
          expect((await b.stat('/f')).mode & 0o7777).toBe(mode);
        }
      },
      TEST_MS,
    );

    test(
      `listing after create, rename, unlink through A (${ROUNDS} rounds)`,
      async () => {
        const ls = async () => new Set((await b.ls('/')).map((e) => e.name));
        for (let i = 0; i < ROUNDS; i++) {
          expect((await ls()).has(`n${i}`)).toBe(false);
          await a.creat(`/n${i}`);
          expect((await ls()).has(`n${i}`)).toBe(true);
          await a.rename(`/n${i}`, `/m${i}`);
          const renamed = await ls();
          expect([renamed.has(`n${i}`), renamed.has(`m${i}`)]).toEqual([false, true]);
          await a.unlink(`/m${i}`);
          expect((await ls()).has(`m${i}`)).toBe(false);
        }
      },
      TEST_MS,
    );
  },
);
