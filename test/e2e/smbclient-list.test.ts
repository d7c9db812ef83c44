/**
 * `smbclient -L` against the gateway: share enumeration through the srvsvc pipe on IPC$
 * (DCE/RPC bind and NetrShareEnum over FSCTL_PIPE_TRANSCEIVE, MS-SRVS §3.1.4.8). Every disk
 * share and IPC$ must be listed with its type, for each dialect smbclient may pick.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { describePeer } from '../helpers/peers';
import { smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(60_000);
const run = promisify(execFile);

describePeer('smbclient -L: share list over srvsvc', 'smbclient', smbclientPresent, () => {
  let head: TestHead;
  beforeAll(async () => {
    head = await startTestHead({
      smbPort: 0,
      smbUsers: [{ user: 'alice', password: 'secret' }],
      shares: ['share', 'Second'],
    });
  });
  afterAll(async () => {
    await head?.close();
  });

  for (const protocol of ['SMB2_02', 'SMB3_11']) {
    test(`MS-SRVS NetrShareEnum level 1 lists the disk shares and IPC$ (${protocol})`, async () => {
      const { stdout } = await run(
        'smbclient',
        ['-L', '//127.0.0.1', '-p', String(head.head.smb!.port), '-U', 'alice%secret', '-m', protocol],
        { timeout: 30_000 },
      );
      const rows = stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((cols) => cols.length >= 2 && ['Disk', 'IPC'].includes(cols[1]!));
      expect(rows.map((c) => [c[0], c[1]])).toEqual([
        ['share', 'Disk'],
        ['Second', 'Disk'],
        ['IPC$', 'IPC'],
      ]);
    });
  }
});
