import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Nfs3Harness, startNfs3 } from '../helpers/nfs3-server';
import { describePeer, hasCommand } from '../helpers/peers';

/**
 * A real NFSv3 client — libnfs's nfs-ls, nfs-cat, nfs-cp, with their own XDR, MOUNT and paging
 * logic — against our MOUNT v3 and NFSv3 on one port, no rpcbind. What it reveals: handle,
 * READDIRPLUS cookie, FSINFO transfer-size and WRITE/COMMIT interplay bugs the hand-made calls
 * of the unit tests could share with the server.
 */
const run = promisify(execFile);
const available = hasCommand('nfs-ls') && hasCommand('nfs-cp') && hasCommand('nfs-cat');

describePeer('NFSv3 with a real client (libnfs-utils)', 'libnfs-utils', available, () => {
  let h: Nfs3Harness;
  let scratch: string;
  const url = (p: string) => `nfs://127.0.0.1/export${p}?nfsport=${h.port}&mountport=${h.port}&version=3`;

  beforeAll(async () => {
    h = await startNfs3({ export: { rootSquash: false } });
    scratch = await mkdtemp(join(tmpdir(), 'upcall-libnfs-'));
    await mkdir(join(h.dir, 'sub'));
    await writeFile(join(h.dir, 'hello.txt'), 'hello over nfs\n');
    for (let i = 0; i < 3000; i += 300) {
      await Promise.all(
        Array.from({ length: 300 }, (_, j) => writeFile(join(h.dir, 'sub', `f${i + j}`), '')),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('nfs-ls lists the root and pages through 3,000 entries', async () => {
    const root = await run('nfs-ls', [url('/')]);
    expect(root.stdout).toMatch(/hello\.txt/);
    expect(root.stdout).toMatch(/ sub\n/);
    const sub = await run('nfs-ls', [url('/sub')], { maxBuffer: 1 << 24 });
    const names = sub.stdout.trim().split('\n');
    expect(names.length).toBe(3000);
    expect(new Set(names).size).toBe(3000);
  });

  test('nfs-cat reads a file', async () => {
    expect((await run('nfs-cat', [url('/hello.txt')])).stdout).toBe('hello over nfs\n');
  });

  test('nfs-cp writes and reads back 3 MiB byte for byte', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    await writeFile(join(scratch, 'up.bin'), data);
    await run('nfs-cp', [join(scratch, 'up.bin'), url('/big.bin')]);
    expect((await readFile(join(h.dir, 'big.bin'))).equals(data)).toBe(true);
    await run('nfs-cp', [url('/big.bin'), join(scratch, 'down.bin')]);
    expect((await readFile(join(scratch, 'down.bin'))).equals(data)).toBe(true);
  });

  test('mounting a path no export holds fails (MNT3ERR_NOENT)', async () => {
    await expect(
      run('nfs-ls', [`nfs://127.0.0.1/nope/?nfsport=${h.port}&mountport=${h.port}`]),
    ).rejects.toThrow();
  });
});
