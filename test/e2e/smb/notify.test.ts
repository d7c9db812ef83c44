/**
 * CHANGE_NOTIFY fed by upcalls, as a client sees it: one head serving NFS and SMB over one
 * export; the raw SMB client watches the share root while libnfs creates, writes, renames and
 * removes through NFS (changes that reach SMB only as upcalls from the core) and the SMB client
 * itself creates a file (a change the core never sends back to SMB: fed locally), and another
 * program changes the export directly (upcalls from the export watcher). All come out as the same
 * FILE_NOTIFY_INFORMATION records, each exactly once.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../../helpers/libnfs-tool';
import { describePeer } from '../../helpers/peers';
import { Cmd, createBody, loggedOn, type Smb2TestClient } from '../../helpers/smb2-client';
import {
  CHANGE_NOTIFY,
  changeNotify,
  type NotifyEntry,
  nextReply,
  parseNotify,
  STATUS,
} from '../../helpers/smb2-notify';

jest.setTimeout(60_000);

const DIRECTORY_FILE = 0x1;
const A = { ADDED: 1, REMOVED: 2, MODIFIED: 3, OLD: 4, NEW: 5 };

describePeer(
  'CHANGE_NOTIFY fed by upcalls',
  'libnfs (built from test/helpers/libnfs-tool.c)',
  libnfsToolBuildable,
  () => {
    let head: TestHead;
    let nfs: LibnfsTool;
    let c: Smb2TestClient;
    let root: Buffer;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: [{ user: 'alice', password: 'secret' }],
        upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
      });
      nfs = libnfsTool(head.url);
      c = await loggedOn(head.head.smb!.port, [0x0210]);
      const r = await c.create('', { options: DIRECTORY_FILE });
      expect(r.r.status).toBe(0);
      root = r.fileId;
    });
    afterAll(async () => {
      c?.end();
      await head?.close();
    });

    /** Issues CHANGE_NOTIFY (re-issuing, as smbclient does) until `want` records have come. */
    async function collect(want: number, act: () => Promise<void>): Promise<NotifyEntry[]> {
      const got: NotifyEntry[] = [];
      let r = await changeNotify(c, root);
      await act();
      for (;;) {
        if (r.status === STATUS.PENDING) r = await nextReply(c, 10_000);
        expect(r.status).toBe(0);
        got.push(...parseNotify(r.body));
        if (got.length >= want) break;
        r = await changeNotify(c, root);
      }
      return got;
    }

    test('interim STATUS_PENDING, then ADDED for a file created through NFS', async () => {
      const interim = await changeNotify(c, root);
      expect(interim.status).toBe(STATUS.PENDING);
      await nfs.creat('/from-nfs.txt', 0o666);
      const done = await nextReply(c, 10_000);
      expect(done.status).toBe(0);
      expect(parseNotify(done.body)).toEqual([{ action: A.ADDED, name: 'from-nfs.txt' }]);
    });

    test('a file created through SMB itself: ADDED once (fed locally, never twice)', async () => {
      expect((await changeNotify(c, root)).status).toBe(STATUS.PENDING);
      // The completion may overtake the CREATE response: read both, in whatever order.
      c.sendFrame(c.message({ command: Cmd.CREATE, body: createBody('from-smb.txt', { disposition: 2 }) }));
      const two = [await nextReply(c, 10_000), await nextReply(c, 10_000)];
      const done = two.find((r) => r.command === CHANGE_NOTIFY)!;
      const created = two.find((r) => r.command === Cmd.CREATE)!;
      expect(created.status).toBe(0);
      expect(done.status).toBe(0);
      expect(parseNotify(done.body)).toEqual([{ action: A.ADDED, name: 'from-smb.txt' }]);
      expect((await c.close(Buffer.from(created.body.subarray(64, 80)))).status).toBe(0);
      // No duplicate is queued: the next request waits for the next change, and gets only it.
      const again = await changeNotify(c, root);
      expect(again.status).toBe(STATUS.PENDING);
      await nfs.creat('/sentinel', 0o666);
      expect(parseNotify((await nextReply(c, 10_000)).body)).toEqual([{ action: A.ADDED, name: 'sentinel' }]);
    });

    test('rename and unlink through NFS: RENAMED_OLD/NEW (+ MODIFIED, as Windows and Samba), REMOVED', async () => {
      const got = await collect(4, async () => {
        await nfs.rename('/from-nfs.txt', '/renamed.txt');
        await nfs.unlink('/renamed.txt');
      });
      expect(got).toEqual([
        { action: A.OLD, name: 'from-nfs.txt' },
        { action: A.NEW, name: 'renamed.txt' },
        // A renamed file is also reported MODIFIED (attributes, creation) under its new name.
        { action: A.MODIFIED, name: 'renamed.txt' },
        { action: A.REMOVED, name: 'renamed.txt' },
      ]);
    });

    test('a file made and removed by another program on the export (the watcher): ADDED, then REMOVED', async () => {
      const path = join(head.dir, 'outside.txt');
      expect(await collect(1, () => writeFile(path, 'x'))).toEqual([
        { action: A.ADDED, name: 'outside.txt' },
      ]);
      expect(await collect(1, () => unlink(path))).toEqual([{ action: A.REMOVED, name: 'outside.txt' }]);
    });

    test('an NFS write to a file SMB has open: MODIFIED', async () => {
      const { r, fileId } = await c.create('sentinel');
      expect(r.status).toBe(0);
      const got = await collect(1, async () => {
        await nfs.write('/sentinel', 0, 'hello');
      });
      expect(got[0]).toEqual({ action: A.MODIFIED, name: 'sentinel' });
      await c.close(fileId);
    });
  },
);
