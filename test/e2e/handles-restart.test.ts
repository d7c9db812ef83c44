import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../cli/config';
import { type Head, startHead } from '../../cli/start-head';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { silentLogger } from '../../gateway/nfs/silent-logger';
import { authSysOf, connectRaw } from '../helpers/raw-nfs-client';

/**
 * DESIGN "Several gateway heads": file handles are the same on every head over one export and
 * survive a restart, so a client can fail over without remounting. A client keeps the handles
 * it was given; the head goes away; a new head (new process state, new port) must accept them.
 */
describe('file handles across a head restart', () => {
  let dir: string;
  const start = (exportPath: string) =>
    startHead(resolveConfig({ port: 0, adminPort: -1, exportPath, host: '127.0.0.1' }), silentLogger());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upcall-e2e-restart-'));
    await chmod(dir, 0o755); // mkdtemp makes it 0700; the test client is uid 1000, who needs search
    const deep = Array.from({ length: 20 }, (_, i) => `level${i}`).join('/'); // deeper than the hints
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await mkdir(join(dir, deep), { recursive: true });
    await writeFile(join(dir, 'a', 'b', 'shallow.txt'), 'shallow');
    await writeFile(join(dir, deep, 'deep.txt'), 'deep');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function handlesFrom(head: Head, paths: string[]): Promise<Buffer[]> {
    const c = await connectRaw(head.nfs.port, authSysOf(1000, 1000));
    try {
      const root = await c.mountRoot();
      return [root, ...(await Promise.all(paths.map((p) => c.walk(root, p))))];
    } finally {
      await c.close();
    }
  }

  test('a restarted head serves the old handles: same root, same files, same bytes', async () => {
    const deepPath = `/${Array.from({ length: 20 }, (_, i) => `level${i}`).join('/')}/deep.txt`;
    const first = await start(dir);
    let handles: Buffer[];
    try {
      handles = await handlesFrom(first, ['/a/b/shallow.txt', deepPath]);
    } finally {
      await first.close();
    }
    const [root, shallow, deep] = handles;

    const second = await start(dir);
    try {
      expect(second.nfs.port).not.toBe(first.nfs.port);
      const [root2] = await handlesFrom(second, []);
      expect(root2!.equals(root!)).toBe(true);
      const c = await connectRaw(second.nfs.port, authSysOf(1000, 1000));
      try {
        for (const [fh, text] of [
          [shallow!, 'shallow'],
          [deep!, 'deep'],
        ] as const) {
          const read = await c.nfs.read(fh, 0, 100);
          expect(Nfs3Stat[read.stat]).toBe('NFS3_OK');
          expect(read.data!.toString()).toBe(text);
        }
      } finally {
        await c.close();
      }
    } finally {
      await second.close();
    }
  });

  test('two heads at once hand out identical handles for the same object', async () => {
    const [h1, h2] = [await start(dir), await start(dir)];
    try {
      const a = await handlesFrom(h1, ['/a/b/shallow.txt']);
      const b = await handlesFrom(h2, ['/a/b/shallow.txt']);
      expect(a.map((h) => h.toString('hex'))).toEqual(b.map((h) => h.toString('hex')));
    } finally {
      await h1.close();
      await h2.close();
    }
  });
});
