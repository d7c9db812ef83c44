import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PosixBackend } from '../../gateway/backend/posix-backend';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { libnfsUtilsPresent, nfsCat, nfsCp, nfsLs, urlOf } from '../helpers/libnfs-utils';
import { describePeer } from '../helpers/peers';
import { connectRaw } from '../helpers/raw-nfs-client';

/** Export options a real client runs into: read-only exports and client address lists. */
describePeer(
  'export options with libnfs',
  'libnfs-utils + gcc + libnfs-dev',
  libnfsUtilsPresent && libnfsToolBuildable,
  () => {
    describe('a read-only export', () => {
      let t: TestHead;
      beforeAll(async () => {
        t = await startTestHead({ readOnly: true });
        await writeFile(join(t.dir, 'ro.txt'), 'read me');
      });
      afterAll(() => t?.close());

      test('serves reads: nfs-ls and nfs-cat work', async () => {
        expect((await nfsLs(t.url)).map((e) => e.name)).toEqual(['ro.txt']);
        expect((await nfsCat(urlOf(t.url, '/ro.txt'))).toString()).toBe('read me');
      });

      test('refuses every kind of write with EROFS (RFC 1813 §2.6) and the disk stays as it was', async () => {
        const nfs = libnfsTool(t.url).as({ uid: 1000, gid: 1000 });
        const attempts: [string, Promise<unknown>][] = [
          ['creat', nfs.creat('/new')],
          ['mkdir', nfs.mkdir('/dir')],
          ['chmod', nfs.chmod('/ro.txt', 0o777)],
          ['truncate', nfs.truncate('/ro.txt', 0)],
          ['unlink', nfs.unlink('/ro.txt')],
          ['rename', nfs.rename('/ro.txt', '/moved')],
          ['symlink', nfs.symlink('x', '/ln')],
          ['link', nfs.link('/ro.txt', '/hard')],
          ['mknod', nfs.mknod('/fifo', 0o010644)],
        ];
        for (const [what, p] of attempts) {
          const err = await p.then(
            () => new Error(`${what} succeeded`),
            (e: unknown) => e,
          );
          expect([what, (err as { code?: string }).code]).toEqual([what, 'EROFS']);
        }
        expect(await readdir(t.dir)).toEqual(['ro.txt']);
        expect(await readFile(join(t.dir, 'ro.txt'), 'utf8')).toBe('read me');
      });

      test('a raw WRITE to an existing file is NFS3ERR_ROFS', async () => {
        const c = await connectRaw(t.head.nfs.port);
        try {
          const fh = await c.walk(await c.mountRoot(), '/ro.txt');
          const res = await c.nfs.write(fh, 0, Buffer.from('XX'));
          expect(Nfs3Stat[res.stat]).toBe('NFS3ERR_ROFS');
        } finally {
          await c.close();
        }
        expect(await readFile(join(t.dir, 'ro.txt'), 'utf8')).toBe('read me');
      });

      test('nfs-cp into it fails', async () => {
        const local = await mkdtemp(join(tmpdir(), 'upcall-e2e-ro-'));
        try {
          await writeFile(join(local, 'src'), randomBytes(100));
          await expect(nfsCp(join(local, 'src'), urlOf(t.url, '/copied'))).rejects.toThrow(/ROFS/);
        } finally {
          await rm(local, { recursive: true, force: true });
        }
        await expect(stat(join(t.dir, 'copied'))).rejects.toThrow();
      });
    });

    describe('an address list without 127.0.0.1', () => {
      let t: TestHead;
      beforeAll(async () => {
        t = await startTestHead({ allowed: ['10.0.0.0/8', '192.168.7.7'] });
        await writeFile(join(t.dir, 'secret.txt'), 'no');
      });
      afterAll(() => t?.close());

      test('nfs-ls cannot mount', async () => {
        await expect(nfsLs(t.url)).rejects.toThrow(/MNT3ERR_ACCES/);
      });

      test('libnfs mount fails with a permission error (MNT3ERR_ACCES)', async () => {
        await expect(libnfsTool(t.url).stat('/secret.txt')).rejects.toMatchObject({
          code: 'EACCES',
          stderr: expect.stringMatching(/^mount: .*MNT3ERR_ACCES/),
        });
      });

      test('a handle obtained elsewhere is refused too (NFS3ERR_ACCES), with no attributes leaked', async () => {
        const other = await PosixBackend.open(t.dir); // same export, same stable handles
        const root = other.handleOf(other.rootIno);
        await other.close();
        const c = await connectRaw(t.head.nfs.port);
        try {
          const res = await c.nfs.lookup(root, 'secret.txt');
          expect(Nfs3Stat[res.stat]).toBe('NFS3ERR_ACCES');
          expect(res.dirAttrs).toBeUndefined();
          expect(Nfs3Stat[(await c.nfs.getattr(root)).stat]).toBe('NFS3ERR_ACCES');
        } finally {
          await c.close();
        }
      });
    });
  },
);
