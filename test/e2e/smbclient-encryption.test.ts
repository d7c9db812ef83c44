/**
 * SMB3 encryption with Samba's own client: smbclient --client-protection=encrypt puts, lists and
 * gets a file byte for byte over 3.1.1 (AES-128-GCM, its first choice) and over 3.0 (-m SMB3_00,
 * AES-128-CCM). The same client refuses to work against a head with smbEncryption 'off', which
 * shows the flag is enforced; with 'required', a default smbclient (which follows the server's
 * ENCRYPT_DATA) works and an SMB 2.1 client is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmbEncryptionMode } from '../../gateway/smb';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { describePeer } from '../helpers/peers';
import { parseLs, smbclient, smbclientOk, smbclientPresent } from '../helpers/smbclient';

jest.setTimeout(120_000);

const ENCRYPT = ['--client-protection=encrypt'];

describePeer('smbclient: SMB3 encryption', 'smbclient', smbclientPresent, () => {
  const heads: TestHead[] = [];
  let local: string;
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const head = async (smbEncryption: SmbEncryptionMode) => {
    const h = await startTestHead({
      smbPort: 0,
      smbUsers: [{ user: 'alice', password: 'secret' }],
      smbEncryption,
    });
    heads.push(h);
    return h.head.smb!.port;
  };

  beforeAll(async () => {
    local = await mkdtemp(join(tmpdir(), 'upcall-smbenc-'));
    await writeFile(join(local, 'data.bin'), data);
  });
  afterAll(async () => {
    for (const h of heads) await h.close();
    await rm(local, { recursive: true, force: true });
  });

  test.each([
    ['3.1.1', undefined],
    ['3.0', 'SMB3_00'],
  ])('%s encrypted: put, ls, get byte-identical', async (_title, protocol) => {
    const port = await head('offered');
    const name = `enc-${protocol ?? '311'}.bin`;
    const o = { port, cwd: local, extra: ENCRYPT, ...(protocol ? { protocol } : {}) };
    await smbclientOk(`put data.bin ${name}`, o);
    const ls = parseLs(await smbclientOk('ls', o));
    expect(ls.find((e) => e.name === name)?.size).toBe(data.length);
    await smbclientOk(`get ${name} back-${name}`, o);
    expect((await readFile(join(local, `back-${name}`))).equals(data)).toBe(true);
  });

  test("smbEncryption 'off': an encrypting client cannot work (the flag is real)", async () => {
    const port = await head('off');
    const r = await smbclient('ls', { port, cwd: local, extra: ENCRYPT });
    expect(r.code).not.toBe(0);
    await smbclientOk('ls', { port, cwd: local });
  });

  test("smbEncryption 'required': a default smbclient encrypts and works; SMB 2.1 is refused", async () => {
    const port = await head('required');
    await smbclientOk('put data.bin req.bin; get req.bin back-req.bin', { port, cwd: local });
    expect((await readFile(join(local, 'back-req.bin'))).equals(data)).toBe(true);
    const old = await smbclient('ls', { port, cwd: local, protocol: 'SMB2_10' });
    expect(old.stdout + old.stderr).toContain('NT_STATUS_ACCESS_DENIED');
  });
});
