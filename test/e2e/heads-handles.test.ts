import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { freshExport, type HeadProcess, startHeadProcess } from '../helpers/heads';
import { libnfsUtilsPresent, nfsCat, nfsCp, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { dropNamespace, REDIS_URL, redisAvailable, testNamespace } from '../helpers/redis-peer';

/**
 * DESIGN "Several gateway heads": two heads are two processes on two ports over one export
 * directory, and a file handle is the same on both and survives their restart — a client can
 * fail over from one to the other without remounting. libnfs writes through A and reads through
 * B; our own RPC client carries a handle obtained from A to B, and to both heads restarted.
 */
describePeer(
  'two heads over one export share file handles',
  `libnfs-utils + redis-server at ${REDIS_URL}`,
  libnfsUtilsPresent && redisAvailable,
  () => {
    const namespace = testNamespace();
    let exp: Awaited<ReturnType<typeof freshExport>>;
    const heads: HeadProcess[] = [];
    let local: string;
    const start = (headId: string) =>
      startHeadProcess({ headId, exportPath: exp.dir, redisUrl: REDIS_URL, namespace }).then((h) => {
        heads.push(h);
        return h;
      });

    beforeAll(async () => {
      exp = await freshExport();
      local = await mkdtemp(join(tmpdir(), 'upcall-heads-local-'));
    });

    afterAll(async () => {
      await Promise.all(heads.map((h) => h.stop()));
      await exp.remove();
      await rm(local, { recursive: true, force: true });
      await dropNamespace(namespace);
    });

    test('a file written with nfs-cp through A reads back with nfs-cat through B', async () => {
      const [a, b] = await Promise.all([start('head-a'), start('head-b')]);
      expect(a.port).not.toBe(b.port);
      const src = join(local, 'hello.txt');
      await writeFile(src, 'written through head A\n');
      await nfsCp(src, urlOf(a.url, '/hello.txt'));
      expect((await nfsCat(urlOf(b.url, '/hello.txt'))).toString()).toBe('written through head A\n');
      expect(await readFile(join(exp.dir, 'hello.txt'), 'utf8')).toBe('written through head A\n');
    });

    test('a handle from A works on B, and on both after they restart', async () => {
      const [a, b] = heads;
      const ca = await a.client();
      const rootA = await ca.mountRoot();
      const fh = await ca.walk(rootA, '/hello.txt');
      const onA = await ca.nfs.getattr(fh);
      expect(onA.stat).toBe(Nfs3Stat.NFS3_OK);

      const cb = await b.client();
      expect((await cb.mountRoot()).equals(rootA)).toBe(true);
      const onB = await cb.nfs.getattr(fh);
      expect(onB.stat).toBe(Nfs3Stat.NFS3_OK);
      expect(onB.attrs?.fileid).toBe(onA.attrs?.fileid);
      expect(onB.attrs?.size).toBe('written through head A\n'.length);

      await Promise.all(heads.splice(0).map((h) => h.stop()));
      const [a2, b2] = await Promise.all([start('head-a'), start('head-b')]);
      const owner = { uid: onA.attrs!.uid, gid: onA.attrs!.gid }; // nfs-cp's file may be private
      for (const h of [a2, b2]) {
        const c = await h.client(owner);
        const r = await c.nfs.read(fh, 0, 100);
        expect(r.stat).toBe(Nfs3Stat.NFS3_OK);
        expect(r.data?.toString()).toBe('written through head A\n');
      }
    });
  },
);
