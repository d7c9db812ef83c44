import { lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirPoller } from '../../../../adapters/watcher/dir-poller';
import { PathInodes } from '../../../../adapters/watcher/path-inodes';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import type { InodeKey } from '../../../../upcall-core';

/** Linux stamps directory times from a coarse clock: wait past a tick so a change moves them. */
const tick = () => new Promise((r) => setTimeout(r, 20));
const keyOf = async (p: string) => inodeKeyOf((await lstat(p, { bigint: true })).ino);

describe('DirPoller: a directory that moved with no event is invalidated whole (real file system)', () => {
  let root: string;
  let paths: PathInodes;
  let changed: InodeKey[];
  let recent: RecentChangeSet;
  const poller = () =>
    new DirPoller({ root, paths, recent, changed: async (d) => void changed.push(d), intervalMs: 1e6 });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'upcall-poller-'));
    await mkdir(join(root, 'd'));
    paths = new PathInodes();
    paths.set(join(root, 'd'), { inode: await keyOf(join(root, 'd')), dir: true });
    paths.set(join(root, 'f'), { inode: 1, dir: false });
    changed = [];
    recent = new RecentChangeSet();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('a create and a delete between two passes (what @parcel/watcher folds into nothing)', async () => {
    const p = poller();
    await p.pass(); // baseline
    await tick();
    await writeFile(join(root, 'd', 'x'), 'x');
    await rm(join(root, 'd', 'x'));
    await p.pass();
    expect(changed).toEqual([await keyOf(join(root, 'd'))]);
    expect(p.sent).toBe(1);
  });

  test('nothing moved: nothing sent, and the first pass only takes the baseline', async () => {
    const p = poller();
    await p.pass();
    await p.pass();
    expect(changed).toEqual([]);
  });

  test("the gateway's own change (noted with the directory's post-op attributes) is not sent", async () => {
    const p = poller();
    await p.pass();
    await tick();
    await writeFile(join(root, 'd', 'mine'), '');
    const dir = join(root, 'd');
    recent.note(await keyOf(dir), attrsOf(await lstat(dir, { bigint: true }), 0n));
    await p.pass();
    expect(changed).toEqual([]);
  });

  test('the export root is polled too, and at most perPass directories per pass', async () => {
    const p = new DirPoller({ root, paths, recent, changed: async (d) => void changed.push(d), perPass: 1 });
    await p.pass(); // root
    await p.pass(); // d
    await tick();
    await writeFile(join(root, 'r'), '');
    await writeFile(join(root, 'd', 'y'), '');
    await p.pass(); // root only
    expect(changed).toEqual([await keyOf(root)]);
    await p.pass(); // then d
    expect(changed).toEqual([await keyOf(root), await keyOf(join(root, 'd'))]);
  });
});
