/**
 * One head serving the same export over NFS and SMB, as a user sees it with real clients:
 * smbclient on one side, libnfs-utils (nfs-cp, nfs-cat, nfs-ls) on the other. Bytes written
 * through one protocol are read back identical through the other, and — with
 * features.cache-invalidation on — a listing SMB has cached is dropped the moment NFS changes
 * the directory, so SMB's next answer already has the new file and the new size. With
 * invalidation off the SMB cache serves its stale listing until it expires: the cache is real.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { libnfsUtilsPresent, nfsCat, nfsCp, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { parseLs, smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(120_000);

const USERS = [{ user: 'alice', password: 'secret' }];

describePeer(
  'SMB and NFS over one export',
  'smbclient + libnfs-utils',
  smbclientPresent && libnfsUtilsPresent,
  () => {
    let head: TestHead;
    let local: string;
    const smb = (cmds: string) => smbclientOk(cmds, { port: head.head.smb!.port, cwd: local });
    const sizeOf = async (name: string) => parseLs(await smb('ls')).find((e) => e.name === name)?.size;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: USERS,
        cacheTtlMs: 60_000,
        upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
      });
      local = await mkdtemp(join(tmpdir(), 'upcall-cross-'));
    });
    afterAll(async () => {
      await head?.close();
      await rm(local, { recursive: true, force: true });
    });

    test('smbclient put, then nfs-cat: the same bytes', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await writeFile(join(local, 'from-smb.bin'), data);
      await smb('put from-smb.bin');
      expect((await nfsCat(urlOf(head.url, '/from-smb.bin'))).equals(data)).toBe(true);
      expect((await nfsLs(head.url)).find((e) => e.name === 'from-smb.bin')?.size).toBe(data.length);
    });

    test('nfs-cp, then smbclient get: the same bytes', async () => {
      const data = randomBytes(2 * 1024 * 1024 + 5);
      await writeFile(join(local, 'from-nfs.bin'), data);
      await nfsCp(join(local, 'from-nfs.bin'), urlOf(head.url, '/from-nfs.bin'));
      await smb('get from-nfs.bin from-nfs.back');
      expect((await readFile(join(local, 'from-nfs.back'))).equals(data)).toBe(true);
    });

    test('SMB listing cached, NFS creates and overwrites: SMB answers new entries and sizes at once', async () => {
      await writeFile(join(local, 'v1'), 'one');
      await smb('put v1 shared.txt');
      expect(await sizeOf('shared.txt')).toBe(3); // warms SMB's listing and attributes
      expect(await sizeOf('shared.txt')).toBe(3);
      const hitsBefore = head.head.smb!.cache.stats().hits.listings;
      expect(hitsBefore).toBeGreaterThan(0); // the listing really is served from cache

      await writeFile(join(local, 'v2'), 'version two, longer');
      await nfsCp(join(local, 'v2'), urlOf(head.url, '/new-via-nfs.txt'));
      await rm(join(head.dir, 'shared.txt')); // nfs-cp refuses to overwrite: replace through NFS in two steps
      await nfsCp(join(local, 'v2'), urlOf(head.url, '/shared.txt'));

      const ls = parseLs(await smb('ls'));
      expect(ls.find((e) => e.name === 'new-via-nfs.txt')?.size).toBe(19);
      expect(ls.find((e) => e.name === 'shared.txt')?.size).toBe(19);
      await smb('get shared.txt shared.back');
      expect(await readFile(join(local, 'shared.back'), 'utf8')).toBe('version two, longer');
    });

    test('SMB removes and renames; NFS sees it on its next request', async () => {
      await writeFile(join(local, 'r'), 'rename me');
      await smb('put r r1.txt');
      expect((await nfsLs(head.url)).map((e) => e.name)).toContain('r1.txt');
      await smb('rename r1.txt r2.txt');
      const names = (await nfsLs(head.url)).map((e) => e.name);
      expect(names).toContain('r2.txt');
      expect(names).not.toContain('r1.txt');
      await smb('rm r2.txt');
      expect((await nfsLs(head.url)).map((e) => e.name)).not.toContain('r2.txt');
    });
  },
);

describePeer(
  'SMB cache without invalidation',
  'smbclient + libnfs-utils',
  smbclientPresent && libnfsUtilsPresent,
  () => {
    let head: TestHead;
    let local: string;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: USERS,
        cacheTtlMs: 60_000,
        upcall: { 'features.cache-invalidation': false },
      });
      local = await mkdtemp(join(tmpdir(), 'upcall-cross-off-'));
    });
    afterAll(async () => {
      await head?.close();
      await rm(local, { recursive: true, force: true });
    });

    test('features.cache-invalidation off: SMB keeps serving its cached listing after an NFS create', async () => {
      const smb = (cmds: string) => smbclientOk(cmds, { port: head.head.smb!.port, cwd: local });
      expect(parseLs(await smb('ls')).map((e) => e.name)).not.toContain('late.txt');
      await writeFile(join(local, 'late'), 'late');
      await nfsCp(join(local, 'late'), urlOf(head.url, '/late.txt'));
      expect((await nfsLs(head.url)).map((e) => e.name)).toContain('late.txt');
      expect(parseLs(await smb('ls')).map((e) => e.name)).not.toContain('late.txt');
    });
  },
);
