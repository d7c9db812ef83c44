/**
 * smbclient against the gateway's SMB server, built by the composition root, for each way
 * smbclient talks: SMB 2.0.2 (-m SMB2_02), 3.0 (-m SMB3_00), its default 3.1.1, and 3.1.1 with
 * every message signed (--client-protection=sign). Each runs the basic set — put and get of
 * 8 MiB byte for byte, ls, mkdir, rename, allinfo, rm, rmdir — and checks the result on disk.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { describePeer } from '../helpers/peers';
import { parseLs, type SmbclientOptions, smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(120_000);

const MODES: readonly { title: string; o: Partial<SmbclientOptions> }[] = [
  { title: 'SMB 2.0.2 (-m SMB2_02)', o: { protocol: 'SMB2_02' } },
  { title: 'SMB 3.0 (-m SMB3_00)', o: { protocol: 'SMB3_00' } },
  { title: 'SMB 3.1.1 (default)', o: {} },
  { title: 'SMB 3.1.1 signed (--client-protection=sign)', o: { sign: true } },
];

describePeer('smbclient: files and directories', 'smbclient', smbclientPresent, () => {
  let head: TestHead;
  let local: string;
  const big = randomBytes(8 * 1024 * 1024);

  beforeAll(async () => {
    head = await startTestHead({ smbPort: 0, smbUsers: [{ user: 'alice', password: 'secret' }] });
    local = await mkdtemp(join(tmpdir(), 'upcall-smbclient-'));
    await writeFile(join(local, 'big.bin'), big);
  });
  afterAll(async () => {
    await head?.close();
    await rm(local, { recursive: true, force: true });
  });

  const opts = (o: Partial<SmbclientOptions>): SmbclientOptions => ({
    port: head.head.smb!.port,
    cwd: local,
    ...o,
  });

  test.each(MODES)('$title: put and get 8 MiB byte-identical', async ({ title, o }) => {
    const tag = title.replace(/\W+/g, '_');
    await smbclientOk(`put big.bin ${tag}.bin; get ${tag}.bin ${tag}.back`, opts(o));
    expect((await readFile(join(head.dir, `${tag}.bin`))).equals(big)).toBe(true);
    expect((await readFile(join(local, `${tag}.back`))).equals(big)).toBe(true);
    const ls = parseLs(await smbclientOk(`ls ${tag}.bin`, opts(o)));
    expect(ls).toEqual([{ name: `${tag}.bin`, attrs: 'A', size: big.length }]);
  });

  test.each(MODES)('$title: mkdir, rename, allinfo, rm, rmdir', async ({ title, o }) => {
    const tag = title.replace(/\W+/g, '_');
    await writeFile(join(local, 'small.txt'), 'hello over SMB\n');
    await smbclientOk(
      `mkdir d-${tag}; put small.txt d-${tag}\\a.txt; rename d-${tag}\\a.txt d-${tag}\\b.txt`,
      opts(o),
    );
    expect(await readFile(join(head.dir, `d-${tag}`, 'b.txt'), 'utf8')).toBe('hello over SMB\n');
    await expect(stat(join(head.dir, `d-${tag}`, 'a.txt'))).rejects.toThrow();

    const info = await smbclientOk(`allinfo d-${tag}\\b.txt`, opts(o));
    expect(info).toMatch(/^altname: B\.TXT$/m);
    expect(info).toMatch(/^attributes: A \(20\)$/m);
    expect(info).toMatch(/^stream: \[::\$DATA\], 15 bytes$/m);
    expect(info).toMatch(/^write_time:\s+\w{3} \w{3}/m);

    const listing = parseLs(await smbclientOk(`ls d-${tag}\\*`, opts(o)));
    expect(listing.map((e) => e.name).sort()).toEqual(['.', '..', 'b.txt']);

    await smbclientOk(`rm d-${tag}\\b.txt; rmdir d-${tag}`, opts(o));
    await expect(stat(join(head.dir, `d-${tag}`))).rejects.toThrow();
  });

  test('ls of the share root lists what is on disk, directories marked D', async () => {
    await writeFile(join(head.dir, 'on-disk.txt'), 'x');
    const ls = parseLs(await smbclientOk('ls', opts({})));
    const byName = new Map(ls.map((e) => [e.name, e]));
    expect(byName.get('on-disk.txt')).toMatchObject({ attrs: 'A', size: 1 });
    expect(byName.get('.')?.attrs).toBe('D');
  });
});
