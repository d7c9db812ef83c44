/**
 * A name cached by the SMB side whose file was removed outside the gateway: with the export
 * watcher off nothing tells the cache, so the cached name leads to an object that is gone. A
 * CREATE through that name (smbclient's put: OVERWRITE_IF) must look the name up afresh and
 * make the file, not answer STATUS_FILE_CLOSED from the stale inode.
 */
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { describePeer } from '../helpers/peers';
import { smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(60_000);

describePeer(
  'smbclient: a name whose file went away outside the gateway',
  'smbclient',
  smbclientPresent,
  () => {
    let head: TestHead;
    let local: string;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: [{ user: 'alice', password: 'secret' }],
        upcall: { 'features.cache-invalidation': true },
        watchExport: false,
      });
      local = await mkdtemp(join(tmpdir(), 'upcall-stale-'));
    });
    afterAll(async () => {
      await head?.close();
      await rm(local, { recursive: true, force: true });
    });

    test('put after the file was deleted on the export makes it again', async () => {
      const o = { port: head.head.smb!.port, user: 'alice', password: 'secret', cwd: local };
      await writeFile(join(local, 'one.txt'), 'first');
      await writeFile(join(local, 'two.txt'), 'second');
      await smbclientOk('put one.txt up.txt; ls up.txt', o); // caches the name and its inode
      await unlink(join(head.dir, 'up.txt'));
      await smbclientOk('put two.txt up.txt', o);
      expect(await readFile(join(head.dir, 'up.txt'), 'utf8')).toBe('second');
    });
  },
);
