import { appendFile, lstat, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMapper, WATCH_FLAGS } from '../../../../adapters/watcher/change-mapper';
import { PathInodes } from '../../../../adapters/watcher/path-inodes';
import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import type { Attrs } from '../../../../gateway/backend/attrs';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import { type ChangeEvent, UpcallFlags as F, type InodeKey, type UpcallCore } from '../../../../upcall-core';

/** A core that only records what the mapper tells it (the mapping is what is under test). */
function recordingCore() {
  const calls: (ChangeEvent | { forget: InodeKey })[] = [];
  const core = {
    change: (_origin: string, ev: ChangeEvent<Attrs>) => {
      calls.push(ev);
    },
    forget: (inode: InodeKey) => {
      calls.push({ forget: inode });
    },
  } as unknown as UpcallCore<Attrs>;
  return { core, calls };
}

const keyOf = async (p: string) => inodeKeyOf((await lstat(p, { bigint: true })).ino);
const attrsAt = async (p: string) => attrsOf(await lstat(p, { bigint: true }), 0n);

describe('ChangeMapper: a changed path becomes upcalls on inode keys (real file system)', () => {
  let dir: string;
  let flushes: number;
  let recent: RecentChangeSet;
  const mapper = (core: UpcallCore<Attrs>, subtreeLimit = 256) =>
    new ChangeMapper({
      core,
      origin: 'h/watcher',
      paths: new PathInodes(),
      recent,
      subtreeLimit,
      flushHolders: () => flushes++,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-map-'));
    flushes = 0;
    recent = new RecentChangeSet();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('content change of a file: SIZE|TIMES (and attribute bits) on its inode', async () => {
    const f = join(dir, 'f');
    await writeFile(f, 'a');
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(f, 'update');
    expect(calls).toEqual([{ inode: await keyOf(f), flags: WATCH_FLAGS.update }]);
    expect(WATCH_FLAGS.update & 0x18).toBe(0x18);
  });

  test('create: TIMES on the parent with the name', async () => {
    const f = join(dir, 'new');
    await writeFile(f, '');
    const { core, calls } = recordingCore();
    await mapper(core).apply(f, 'create');
    expect(calls).toEqual([{ inode: await keyOf(dir), flags: WATCH_FLAGS.create, name: 'new' }]);
  });

  test('create then update in one window: the parent as for a create, and the update on the new inode', async () => {
    const f = join(dir, 'new');
    await writeFile(f, 'abc');
    const { core, calls } = recordingCore();
    await mapper(core).apply(f, 'create-update');
    expect(calls).toEqual([
      { inode: await keyOf(dir), flags: WATCH_FLAGS.create, name: 'new' },
      { inode: await keyOf(f), flags: WATCH_FLAGS.update },
    ]);
  });

  test('delete of a known path: NLINK|TIMES|PARENT_TIMES with parent and name, then FORGET', async () => {
    const f = join(dir, 'gone');
    await writeFile(f, 'x');
    const ino = await keyOf(f);
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(f, 'create');
    calls.length = 0;
    await unlink(f);
    await m.apply(f, 'delete');
    expect(calls).toEqual([
      { inode: ino, flags: WATCH_FLAGS.remove, parent: await keyOf(dir), name: 'gone' },
      { forget: ino },
    ]);
  });

  test('delete of a path never seen: the parent listing and the named entry still go, told apart from a create', async () => {
    const { core, calls } = recordingCore();
    await mapper(core).apply(join(dir, 'never-seen'), 'delete');
    expect(calls).toEqual([{ inode: await keyOf(dir), flags: WATCH_FLAGS.removedEntry, name: 'never-seen' }]);
    expect(WATCH_FLAGS.removedEntry & F.NLINK).toBe(F.NLINK);
    expect(WATCH_FLAGS.create & F.NLINK).toBe(0);
  });

  test('a path now holding another inode: create on the parent, the replaced inode removed and forgotten', async () => {
    const f = join(dir, 'r');
    await writeFile(f, '1');
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(f, 'create');
    const old = await keyOf(f);
    await writeFile(join(dir, 'tmp'), '2');
    await rm(f);
    const { rename } = await import('node:fs/promises');
    await rename(join(dir, 'tmp'), f);
    calls.length = 0;
    await m.apply(f, 'update');
    expect(calls).toContainEqual({
      inode: old,
      flags: WATCH_FLAGS.remove,
      parent: await keyOf(dir),
      name: 'r',
    });
    expect(calls).toContainEqual({ forget: old });
  });

  test('a new directory: TIMES on every inode below it, since events inside may be missed', async () => {
    const d = join(dir, 'd');
    await mkdir(join(d, 'sub'), { recursive: true });
    await writeFile(join(d, 'sub', 'y'), 'y');
    const { core, calls } = recordingCore();
    await mapper(core).apply(d, 'create');
    const inodes = calls
      .filter((c) => 'flags' in c && (c.flags & WATCH_FLAGS.subtree) !== 0 && c.name === undefined)
      .map((c) => (c as ChangeEvent).inode);
    expect(new Set(inodes)).toEqual(
      new Set([await keyOf(d), await keyOf(join(d, 'sub')), await keyOf(join(d, 'sub', 'y'))]),
    );
  });

  test('a new directory: its own dentries go too (PARENT_TIMES on itself), negative ones included', async () => {
    const d = join(dir, 'nd');
    await mkdir(d);
    const { core, calls } = recordingCore();
    await mapper(core).apply(d, 'create');
    const k = await keyOf(d);
    expect(calls).toContainEqual({ inode: k, flags: WATCH_FLAGS.subtreeDir, parent: k });
  });

  test('a new directory the gateway made and filled sends nothing; what another program put or changed in it is sent', async () => {
    const d = join(dir, 'made');
    await mkdir(d);
    await writeFile(join(d, 'mine'), 'a');
    // The gateway's notes: the mkdir (parent entry, the new directory), then its create of 'mine'.
    recent.note(await keyOf(dir), await attrsAt(dir));
    recent.noteEntry(await keyOf(dir), 'made');
    recent.note(await keyOf(d), await attrsAt(d));
    recent.note(await keyOf(join(d, 'mine')), await attrsAt(join(d, 'mine')));
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(d, 'create');
    expect(calls).toEqual([]);
    expect(m.counters.suppressed).toBe(3); // the entry, the directory, 'mine'
    // Another program adds 'theirs' (a clock tick later: ctime is coarse) and appends to 'mine'
    // before the watch on d exists: both, and d itself, are sent.
    await new Promise((r) => setTimeout(r, 15));
    await writeFile(join(d, 'theirs'), 'b');
    await appendFile(join(d, 'mine'), 'more');
    await m.apply(d, 'create');
    expect(calls).toEqual(
      expect.arrayContaining([
        { inode: await keyOf(d), flags: WATCH_FLAGS.subtreeDir, parent: await keyOf(d) },
        { inode: await keyOf(join(d, 'mine')), flags: WATCH_FLAGS.subtree },
        { inode: await keyOf(join(d, 'theirs')), flags: WATCH_FLAGS.subtree },
      ]),
    );
    expect(calls).toHaveLength(3);
  });

  test('a new directory as the gateway left it, holding what another program put there: the directory is sent too', async () => {
    const d = join(dir, 'mixed');
    await mkdir(d);
    await writeFile(join(d, 'theirs'), 'b');
    // The gateway noted the directory after 'theirs' appeared (same clock tick, say): its state
    // matches, yet its listing holds an entry no gateway head made.
    recent.note(await keyOf(dir), await attrsAt(dir));
    recent.noteEntry(await keyOf(dir), 'mixed');
    recent.note(await keyOf(d), await attrsAt(d));
    const { core, calls } = recordingCore();
    await mapper(core).apply(d, 'create');
    expect(calls).toEqual([
      { inode: await keyOf(d), flags: WATCH_FLAGS.subtreeDir, parent: await keyOf(d) },
      { inode: await keyOf(join(d, 'theirs')), flags: WATCH_FLAGS.subtree },
    ]);
  });

  test('a new directory too big to walk flushes the holders instead', async () => {
    const d = join(dir, 'big');
    await mkdir(d);
    for (let i = 0; i < 20; i++) await writeFile(join(d, `f${i}`), '');
    const { core } = recordingCore();
    const m = mapper(core, 5);
    await m.apply(d, 'create');
    expect(flushes).toBe(1);
    expect(m.counters.subtreeFlushes).toBe(1);
  });

  test('suppression: a file exactly as the gateway left it sends nothing', async () => {
    const f = join(dir, 'own');
    await writeFile(f, 'abc');
    recent.note(await keyOf(f), await attrsAt(f));
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(f, 'update');
    expect(calls).toEqual([]);
    expect(m.counters.suppressed).toBe(1);
  });

  test('suppression ends when another program changed the file after the gateway', async () => {
    const f = join(dir, 'own2');
    await writeFile(f, 'abc');
    recent.note(await keyOf(f), await attrsAt(f));
    await appendFile(f, 'more');
    const { core, calls } = recordingCore();
    await mapper(core).apply(f, 'update');
    expect(calls).toEqual([{ inode: await keyOf(f), flags: WATCH_FLAGS.update }]);
  });

  test('suppression of an entry: only the name the gateway changed, in a directory unchanged since', async () => {
    await writeFile(join(dir, 'mine'), '');
    recent.note(await keyOf(dir), await attrsAt(dir));
    recent.noteEntry(await keyOf(dir), 'mine');
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(join(dir, 'mine'), 'create');
    expect(calls).toEqual([]);
    await writeFile(join(dir, 'theirs'), '');
    await m.apply(join(dir, 'theirs'), 'create');
    expect(calls).toEqual([{ inode: await keyOf(dir), flags: WATCH_FLAGS.create, name: 'theirs' }]);
  });

  test('create-update: the gateway made the entry and wrote, another program wrote after: the update is sent', async () => {
    const f = join(dir, 'made');
    await writeFile(f, 'abc');
    recent.note(await keyOf(dir), await attrsAt(dir));
    recent.noteEntry(await keyOf(dir), 'made');
    recent.note(await keyOf(f), await attrsAt(f));
    const { core, calls } = recordingCore();
    const m = mapper(core);
    await m.apply(f, 'create-update');
    expect(calls).toEqual([]); // all the gateway's own
    await appendFile(f, 'outside');
    await m.apply(f, 'create-update');
    expect(calls).toEqual([{ inode: await keyOf(f), flags: WATCH_FLAGS.update }]);
  });
});
