import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchDomain } from '../../../../adapters/watcher/watch-domain';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'domain-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test('one directory through two paths is one domain; another directory is another', async () => {
  await mkdir(join(dir, 'export'));
  await mkdir(join(dir, 'other'));
  await symlink(join(dir, 'export'), join(dir, 'alias'));
  const a = await watchDomain(join(dir, 'export'));
  expect(await watchDomain(join(dir, 'alias'))).toBe(a);
  expect(await watchDomain(join(dir, 'other'))).not.toBe(a);
});

test("the kernel's boot id leads the key (one watcher per kernel, not per hostname)", async () => {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  expect(await watchDomain(dir)).toMatch(new RegExp(`^${bootId}:\\d+:\\d+$`));
});

test('a missing export is an error, not a shared key', async () => {
  await expect(watchDomain(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
});
