import type { Attrs } from '../../../gateway/backend/attrs';
import type { Backend } from '../../../gateway/backend/backend';
import { inodeKeyOf } from '../../../gateway/backend/inode-key';
import { withUpcall } from '../../../plugin';
import {
  createUpcallCore,
  UpcallFlags as F,
  type InMemoryUpcallCore,
  type Invalidation,
} from '../../../upcall-core';
import { ROOT, settle, tempBackend } from '../../helpers/temp-backend';

let env: Awaited<ReturnType<typeof tempBackend>>;
let core: InMemoryUpcallCore<Attrs>;
let a: Backend; // the cache holder 'A' (e.g. head-1/nfs)
let b: Backend; // another one, 'B'
let gotA: Invalidation<Attrs>[];
let gotB: Invalidation<Attrs>[];

beforeEach(async () => {
  env = await tempBackend();
  core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': 'on' } });
  a = withUpcall(env.backend, core, 'A');
  b = withUpcall(env.backend, core, 'B');
  gotA = [];
  gotB = [];
  core.events('A').subscribe((e) => gotA.push(e));
  core.events('B').subscribe((e) => gotB.push(e));
});

afterEach(async () => {
  core.close();
  await env.close();
});

const root = () => env.backend.rootIno;
const flags = (evs: Invalidation[]) => evs.map((e) => (e.kind === 'inode' ? e.flags : -1));

test('read-type fops register the caller on the inode; a failed lookup still registers on the directory', async () => {
  const f = await a.create(root(), 'f', { mode: 0o644 }, ROOT);
  await b.getattr(f.attrs.fileid);
  expect(core.lastAccess('B', inodeKeyOf(f.attrs.fileid))).toBeDefined();
  await expect(b.lookup(root(), 'missing', ROOT)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(core.lastAccess('B', inodeKeyOf(root()))).toBeDefined();
});

test('a write notifies the other reader with SIZE|TIMES and the post-op stat; never the writer', async () => {
  const f = await a.create(root(), 'f', { mode: 0o644 }, ROOT);
  await b.getattr(f.attrs.fileid);
  gotA.length = 0;
  await a.write(f.attrs.fileid, 0, Buffer.from('hello'), 'file-sync', ROOT);
  await settle();
  expect(gotB).toEqual([expect.objectContaining({ flags: F.SIZE | F.TIMES, origin: 'A' })]);
  expect(gotB[0].kind === 'inode' && gotB[0].stat?.size).toBe(5);
  expect(gotA).toEqual([]);
});

test('setattr notifies only the bits that changed; atime alone nobody', async () => {
  const f = await a.create(root(), 'f', { mode: 0o644 }, ROOT);
  await b.getattr(f.attrs.fileid);
  await a.setattr(f.attrs.fileid, { mode: 0o600 }, ROOT);
  await a.setattr(f.attrs.fileid, { atime: { sec: 1000, nsec: 0 } }, ROOT);
  await settle();
  // XATTR is part of a mode change (ACLs), but B registered no xattr globs, so rule 7 strips it.
  expect(flags(gotB)).toEqual([F.MODE | F.PERM]);
});

test('create tells the parent\u2019s other clients TIMES with the new name, and registers the creator on the new inode', async () => {
  await b.readdir(root(), 0n, 100, true, ROOT);
  const f = await a.create(root(), 'new.txt', { mode: 0o644 }, ROOT);
  await settle();
  expect(gotB).toEqual([
    expect.objectContaining({ inode: inodeKeyOf(root()), flags: F.TIMES, name: 'new.txt' }),
  ]);
  expect(core.lastAccess('A', inodeKeyOf(f.attrs.fileid))).toBeDefined();
});

test('unlink of the last link: NLINK|TIMES|PARENT_TIMES, then FORGET', async () => {
  const f = await a.create(root(), 'f', { mode: 0o644 }, ROOT);
  await b.lookup(root(), 'f', ROOT);
  await a.remove(root(), 'f', ROOT);
  await settle();
  expect(flags(gotB)).toEqual([F.NLINK | F.TIMES | F.PARENT_TIMES, F.FORGET]);
  expect(core.lastAccess('B', inodeKeyOf(f.attrs.fileid))).toBeUndefined();
});

test('rename: RENAME|PARENT_TIMES with both parents; a replaced file is unlinked and forgotten', async () => {
  const d1 = await a.mkdir(root(), 'd1', 0o755, ROOT);
  const d2 = await a.mkdir(root(), 'd2', 0o755, ROOT);
  const x = await a.create(d1.attrs.fileid, 'x', { mode: 0o644 }, ROOT);
  const y = await a.create(d2.attrs.fileid, 'y', { mode: 0o644 }, ROOT);
  await b.lookup(d1.attrs.fileid, 'x', ROOT);
  await b.lookup(d2.attrs.fileid, 'y', ROOT);
  gotB.length = 0;
  await a.rename(d1.attrs.fileid, 'x', d2.attrs.fileid, 'y', ROOT);
  await settle();
  const moved = gotB.find((e) => e.kind === 'inode' && e.inode === inodeKeyOf(x.attrs.fileid));
  expect(moved).toMatchObject({
    flags: F.RENAME | F.PARENT_TIMES,
    parent: inodeKeyOf(d2.attrs.fileid),
    name: 'y',
    oldParent: inodeKeyOf(d1.attrs.fileid),
    oldName: 'x',
  });
  const victim = gotB.filter((e) => e.kind === 'inode' && e.inode === inodeKeyOf(y.attrs.fileid));
  expect(flags(victim)).toEqual([F.NLINK | F.TIMES | F.PARENT_TIMES, F.FORGET]);
});

test('readdirplus registers every returned entry', async () => {
  const f = await a.create(root(), 'e1', { mode: 0o644 }, ROOT);
  await b.readdir(root(), 0n, 100, true, ROOT);
  expect(core.lastAccess('B', inodeKeyOf(f.attrs.fileid))).toBeDefined();
});

test('with cache invalidation off, nothing is tracked or sent', async () => {
  core.reconfigure({ 'features.cache-invalidation': 'off' });
  const f = await a.create(root(), 'f', { mode: 0o644 }, ROOT);
  await b.getattr(f.attrs.fileid);
  await a.write(f.attrs.fileid, 0, Buffer.from('x'), 'unstable', ROOT);
  await settle();
  expect(gotB).toEqual([]);
  expect(core.stats().trackedInodes).toBe(0);
});
