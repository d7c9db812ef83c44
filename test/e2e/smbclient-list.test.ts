/**
 * `smbclient -L` against the gateway: share enumeration through the srvsvc pipe on IPC$
 * (DCE/RPC bind and NetrShareEnum over FSCTL_PIPE_TRANSCEIVE, MS-SRVS §3.1.4.8). Every disk
 * share and IPC$ must be listed with its type, for each dialect smbclient may pick; rpcclient
 * (shipped in the same Debian package) checks server and share info.
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

  test('MS-SRVS NetrServerGetInfo 101 and NetrShareGetInfo 2 through rpcclient (same smbclient package)', async () => {
    const { stdout } = await run(
      'rpcclient',
      [
        '-p',
        String(head.head.smb!.port),
        '-U',
        'alice%secret',
        '-c',
        'netsharegetinfo nope 1; srvinfo; netsharegetinfo Second 2',
        '127.0.0.1',
      ],
      { timeout: 30_000 },
    );
    expect(stdout).toMatch(/platform_id\s*:\s*500/);
    expect(stdout).toMatch(/server type\s*:\s*0x8003/);
    expect(stdout).toMatch(/netname: Second/);
    expect(stdout).toMatch(/WERR_NERR_NETNAMENOTFOUND/);
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
