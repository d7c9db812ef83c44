/**
 * smbclient's `notify` command against our server, with the change made through NFS: smbclient
 * (Samba's client, as it ships) watches a directory of the share — a WATCH_TREE CHANGE_NOTIFY,
 * re-issued after each answer — and prints one "ACTION NAME" line per FILE_NOTIFY_INFORMATION
 * record; nfs-cp (libnfs-utils) then copies files into that directory and into a subdirectory
 * two levels down that no SMB client has ever opened. The records reach the SMB side only as
 * upcalls from the core, so this covers the whole path: NFS → core → SMB notify → smbclient.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../../helpers/e2e-head';
import { libnfsUtilsPresent, nfsCp, urlOf } from '../../helpers/libnfs-utils';
import { describePeer, hasCommand } from '../../helpers/peers';
import { smbclientPresent } from '../../helpers/smbclient';
import { sleep, waitFor } from '../../helpers/wait-for';

jest.setTimeout(60_000);

/** MS-FSCC §2.7.1 FILE_ACTION_ADDED, as smbclient prints it ("%04x"). */
const ADDED = '0001';

/** smbclient `notify DIR`, unbuffered (stdbuf) so each record line arrives as it is printed. */
class NotifyWatcher {
  private out = '';
  private readonly child: ChildProcess;

  constructor(port: number, dir: string) {
    this.child = spawn(
      'stdbuf',
      [
        '-o0',
        '-e0',
        'smbclient',
        '//127.0.0.1/share',
        '-p',
        String(port),
        '-U',
        'alice%secret',
        '-c',
        `notify ${dir}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
    });
  }

  /** The "ACTION NAME" lines printed so far. */
  lines(): string[] {
    return this.out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[0-9a-f]{4} /.test(l));
  }

  get output(): string {
    return this.out;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

describePeer(
  "smbclient 'notify' sees changes made through NFS",
  'smbclient + libnfs-utils + stdbuf',
  smbclientPresent && libnfsUtilsPresent && hasCommand('stdbuf'),
  () => {
    let head: TestHead;
    let watcher: NotifyWatcher | undefined;
    const src = (): string => join(tmpdir(), `smbclient-notify-${process.pid}.txt`);

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: [{ user: 'alice', password: 'secret' }],
        upcall: { 'features.cache-invalidation': true, 'features.cache-invalidation-timeout': 60 },
      });
      // Made on disk, behind both servers' backs: SMB has never seen these directories.
      await mkdir(join(head.dir, 'watched', 'deep', 'deeper'), { recursive: true });
      // World-writable, as the export root is: nfs-cp runs as the squashed root.
      for (const d of ['watched', 'watched/deep', 'watched/deep/deeper'])
        await chmod(join(head.dir, d), 0o777);
      await writeFile(src(), 'through NFS\n');
    });
    afterAll(async () => {
      watcher?.stop();
      await head?.close();
      await rm(src(), { force: true });
    });

    test('a file nfs-cp creates in the watched directory and one two levels below are reported as ADDED', async () => {
      const notify = head.head.smb!.server.context.notify;
      watcher = new NotifyWatcher(head.head.smb!.port, 'watched');
      // The watch exists once smbclient's first CHANGE_NOTIFY is parked on the server.
      await waitFor(() => notify.size > 0, 'smbclient CHANGE_NOTIFY registered', 15_000);
      // Interest in the subtree is registered asynchronously (a readdir walk): give it a moment.
      await sleep(500);

      await nfsCp(src(), urlOf(head.url, '/watched/from-nfs.txt'));
      await nfsCp(src(), urlOf(head.url, '/watched/deep/deeper/nested-from-nfs.txt'));

      const want = [`${ADDED} from-nfs.txt`, `${ADDED} deep\\deeper\\nested-from-nfs.txt`];
      await waitFor(
        () => want.every((w) => watcher!.lines().includes(w)),
        `smbclient printed ${JSON.stringify(want)}`,
        15_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; smbclient printed:\n${watcher!.output}`);
      });
      // Each change exactly once: the upcall path and the local path must not both report it.
      for (const w of want) expect(watcher.lines().filter((l) => l === w)).toHaveLength(1);
    });
  },
);
