/**
 * Two heads through Redis, NFS on head A, SMB on head B, real clients: smbclient reads a file
 * through B (its cache holds it), our NFS client rewrites it through A, and B serves the new
 * bytes on smbclient's very next read — every round, though the store tells B's SMB holder of
 * a write only once until it reads again (told once per access): each read re-arms it. A run
 * of writes B does not read in between is left out after the first, and B still reads fresh.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { type HeadPair, startPair } from '../helpers/heads';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';
import { smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(120_000);

interface RedisStats {
  redis: { alreadyTold: number };
}

describePeer(
  'two heads: NFS writes through A, smbclient reads through B',
  `redis-server at ${REDIS_URL} + smbclient`,
  redisAvailable && smbclientPresent,
  () => {
    let pair: HeadPair;
    let local: string;

    beforeAll(async () => {
      local = await mkdtemp(join(tmpdir(), 'upcall-heads-smb-'));
      const config = join(local, 'gateway.json');
      await writeFile(
        config,
        JSON.stringify({ smbUsers: [{ user: 'alice', password: 'secret', uid: 1000, gid: 1000 }] }),
      );
      pair = await startPair({
        redisUrl: REDIS_URL,
        namespace: testNamespace(),
        dropNamespace,
        smbConfig: config,
      });
    });
    afterAll(async () => {
      await pair?.close();
      await rm(local, { recursive: true, force: true });
    });

    const smbGet = async (name: string): Promise<string> => {
      await smbclientOk(`get ${name} ${name}.back`, { port: pair.b.smbPort!, cwd: local });
      return readFile(join(local, `${name}.back`), 'utf8');
    };

    test('every round, B serves what A wrote on the first read; unread writes are left out', async () => {
      const a = await pair.a.client();
      const fh = (await a.nfs.create(await a.mountRoot(), 'shared.txt', 0)).fh!;
      const write = async (text: string) => {
        expect((await a.nfs.setattr(fh, { size: 0 })).stat).toBe(Nfs3Stat.NFS3_OK);
        expect((await a.nfs.write(fh, 0, Buffer.from(text), 2)).stat).toBe(Nfs3Stat.NFS3_OK);
      };
      await write('round 0');
      expect(await smbGet('shared.txt')).toBe('round 0');
      for (let round = 1; round <= 5; round++) {
        await write(`round ${round} ${'x'.repeat(round)}`);
        expect(await smbGet('shared.txt')).toBe(`round ${round} ${'x'.repeat(round)}`);
      }
      const before = (JSON.parse(await pair.a.admin('/stats')) as RedisStats).redis.alreadyTold;
      for (let i = 0; i < 5; i++) await write(`unread ${i}`);
      const after = (JSON.parse(await pair.a.admin('/stats')) as RedisStats).redis.alreadyTold;
      expect(after - before).toBeGreaterThan(0);
      expect(await smbGet('shared.txt')).toBe('unread 4');
    });
  },
);
