/**
 * The classic npm `smb2` client (0.2.11, pinned in devDependencies) against our server, over a
 * real socket: raw NTLMSSP with NTLMv1 (so the head runs with `allowNtlmV1`), SMB 2.0.2/2.1,
 * CREATE/WRITE/READ/QUERY_DIRECTORY/SET_INFO/CLOSE. The client runs in its own node process
 * (npm-smb2-client.cjs) with --openssl-legacy-provider, which its DES/MD4 need on OpenSSL 3.
 * What it did is checked on the export directory itself, not only through the client.
 *
 * Known and asserted: the client's rmdir opens the folder with read access only and then asks
 * for delete-on-close, which needs DELETE access — refused with STATUS_ACCESS_DENIED, as
 * Windows does; the directory stays.
 */
import { execFile } from 'node:child_process';
import { chown, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestHead, type TestHead } from '../../helpers/e2e-head';
import { describePeer } from '../../helpers/peers';

jest.setTimeout(60_000);

const DRIVER = join(__dirname, 'npm-smb2-client.cjs');
/** The identity alice works as on the export. */
const ALICE = { uid: 1000, gid: 1000 };

/** Whether the `smb2` package is installed (a devDependency; absent only in a broken install). */
function smb2Installed(): boolean {
  try {
    require.resolve('smb2');
    return true;
  } catch {
    return false;
  }
}

/** The bytes the driver writes: the same formula as npm-smb2-client.cjs. */
function payload(): Buffer {
  const b = Buffer.alloc(300000);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

interface Step {
  step?: string;
  value?: unknown;
  error?: string;
}

function runDriver(port: number): Promise<{ steps: Map<string, unknown>; error?: string; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--openssl-legacy-provider', DRIVER, String(port), 'alice', 'secret'],
      { timeout: 45_000 },
      (_err, stdout, stderr) => {
        const steps = new Map<string, unknown>();
        let error: string | undefined;
        for (const line of String(stdout).split('\n')) {
          if (!line.startsWith('{')) continue;
          const s = JSON.parse(line) as Step;
          if (s.error) error = s.error;
          else if (s.step) steps.set(s.step, s.value);
        }
        resolve({ steps, ...(error ? { error } : {}), out: `${stdout}${stderr}` });
      },
    );
  });
}

describePeer('npm smb2 0.2.11 client (NTLMv1)', 'the smb2 npm package', smb2Installed(), () => {
  let head: TestHead;

  beforeAll(async () => {
    head = await startTestHead({
      smbPort: 0,
      smbUsers: [{ user: 'alice', password: 'secret', ...ALICE }],
      allowNtlmV1: true,
    });
    // Alice's own files: the client opens every file asking for write, delete, WRITE_DAC and
    // WRITE_OWNER too (DesiredAccess 0x001701DF), which only the owner is granted.
    for (const [name, text] of [
      ['seed.txt', 'seeded on disk\n'],
      ['doomed.txt', 'to be unlinked\n'],
    ] as const) {
      await writeFile(join(head.dir, name), text);
      await chown(join(head.dir, name), ALICE.uid, ALICE.gid);
    }
  });
  afterAll(async () => {
    await head?.close();
  });

  test('mkdir, writeFile (300 kB), readFile, readdir, rename, exists, unlink work; rmdir is refused', async () => {
    const r = await runDriver(head.head.smb!.port);
    if (r.error) throw new Error(`smb2 client failed: ${r.error}\n${r.out}`);
    expect(r.steps.get('writeFile')).toBe(300000);
    expect(r.steps.get('readFile')).toEqual({ length: 300000, same: true });
    expect(r.steps.get('readdir')).toEqual(['hello.bin']);
    expect(r.steps.get('readSeed')).toBe('seeded on disk\n');
    expect(r.steps.get('exists')).toEqual({ old: false, new: true });
    expect(r.steps.get('rmdir')).toEqual({ result: 'STATUS_ACCESS_DENIED', stillThere: true });

    // On the export itself: the written bytes under the new name, the unlinked file gone.
    expect((await readFile(join(head.dir, 'npmdir', 'renamed.bin'))).equals(payload())).toBe(true);
    await expect(stat(join(head.dir, 'npmdir', 'hello.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(head.dir, 'doomed.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(head.dir, 'emptydir'))).isDirectory()).toBe(true);
  });

  test('without allowNtlmV1 the same client cannot log on', async () => {
    const strict = await startTestHead({ smbPort: 0, smbUsers: [{ user: 'alice', password: 'secret' }] });
    try {
      const r = await runDriver(strict.head.smb!.port);
      expect(r.error).toMatch(/STATUS_LOGON_FAILURE/);
      expect(r.steps.size).toBe(0);
    } finally {
      await strict.close();
    }
  });
});
