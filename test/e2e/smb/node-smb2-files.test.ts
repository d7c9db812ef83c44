/**
 * A third-party client's file operations: `node-smb2` 1.3.5 (NTLMv2 forced) writes, reads,
 * lists, renames and deletes files and directories on our share; every result is checked on the
 * export itself, and a change made there through NFS shows on the client's next read (the SMB
 * cache was warm, the upcall dropped it).
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import smb2 from 'node-smb2';
import { startTestHead, type TestHead } from '../../helpers/e2e-head';
import { libnfsTool, libnfsToolBuildable } from '../../helpers/libnfs-tool';
import { describePeer } from '../../helpers/peers';

jest.setTimeout(60_000);

describePeer(
  'node-smb2 file operations',
  'libnfs (built from test/helpers/libnfs-tool.c)',
  libnfsToolBuildable,
  () => {
    let head: TestHead;
    let client: InstanceType<typeof smb2.Client>;
    let tree: Awaited<ReturnType<Awaited<ReturnType<typeof client.authenticate>>['connectTree']>>;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: [{ user: 'alice', password: 'secret' }],
        upcall: { 'features.cache-invalidation': true },
      });
      client = new smb2.Client('127.0.0.1', { port: head.head.smb!.port });
      const session = await client.authenticate({
        domain: '',
        username: 'alice',
        password: 'secret',
        forceNtlmVersion: 'v2',
      });
      tree = await session.connectTree('share');
    });
    afterAll(async () => {
      await client?.close();
      await head?.close();
    });

    test('write and read back 1 MiB byte-identical, as stored on the export', async () => {
      const data = randomBytes(1024 * 1024);
      await tree.createFile('blob.bin', data);
      expect((await readFile(join(head.dir, 'blob.bin'))).equals(data)).toBe(true);
      expect((await tree.readFile('blob.bin')).equals(data)).toBe(true);
    });

    test('directories: create, list, rename, remove', async () => {
      await tree.createDirectory('docs');
      await tree.createFile('docs\\a.txt', 'alpha');
      expect((await stat(join(head.dir, 'docs'))).isDirectory()).toBe(true);
      // node-smb2 hands names back as Unix-style relative paths ('./a.txt').
      const names = (await tree.readDirectory('docs')).map((e) => e.filename.replace(/^\.\//, ''));
      expect(names).toContain('a.txt');
      await tree.renameFile('docs\\a.txt', 'docs\\b.txt');
      expect(await tree.exists('docs\\a.txt')).toBe(false);
      expect(await readFile(join(head.dir, 'docs', 'b.txt'), 'utf8')).toBe('alpha');
      await tree.removeFile('docs\\b.txt');
      await expect(stat(join(head.dir, 'docs', 'b.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
      await tree.renameDirectory('docs', 'papers');
      expect((await stat(join(head.dir, 'papers'))).isDirectory()).toBe(true);
      await tree.removeDirectory('papers');
      await expect(stat(join(head.dir, 'papers'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('a file rewritten through NFS reads new on the first SMB read after it', async () => {
      await tree.createFile('shared.txt', 'old');
      expect((await tree.readFile('shared.txt')).toString()).toBe('old'); // warms the SMB side
      // With features.cache-invalidation off this reads 'new': the cached size (3) cuts it short.
      await libnfsTool(head.url).write('/shared.txt', 0, 'new content');
      expect((await tree.readFile('shared.txt')).toString()).toBe('new content');
    });
  },
);
