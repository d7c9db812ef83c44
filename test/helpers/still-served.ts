/**
 * After a misbehaving client: is the head still serving a well-behaved one? A fresh nfs-ls
 * (mount, READDIRPLUS) and nfs-cat (LOOKUP, READ) must give what is on disk.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nfsCat, nfsLs, urlOf } from './libnfs-utils';

export async function expectStillServed(url: string, dir: string, file: string): Promise<void> {
  const listed = (await nfsLs(url)).map((e) => e.name).sort();
  expect(listed).toEqual((await readdir(dir)).sort());
  expect((await nfsCat(urlOf(url, `/${file}`))).equals(await readFile(join(dir, file)))).toBe(true);
}
