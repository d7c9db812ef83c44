import { type NoteStore, SharedRecentChanges } from '../../../../adapters/watcher/shared-recent-changes';
import { type Attrs, FileType } from '../../../../gateway/backend/attrs';
import type { InodeKey } from '../../../../upcall-core';

const t = (sec: number, nsec = 0) => ({ sec, nsec });
function attrs(o: Partial<Attrs> = {}): Attrs {
  return {
    type: FileType.REG,
    mode: 0o644,
    nlink: 1,
    uid: 1,
    gid: 1,
    size: 10,
    used: 4096,
    rdev: { major: 0, minor: 0 },
    fsid: 1n,
    fileid: 7n,
    atime: t(1),
    mtime: t(2),
    ctime: t(3),
    birthtime: t(1),
    ...o,
  };
}

/** A store in memory that counts its round trips; every head of a test shares one. */
class MemStore implements NoteStore {
  readonly map = new Map<string, string>();
  puts: string[] = [];
  gets = 0;
  put(notes: readonly (readonly [string, string])[]): void {
    for (const [k, v] of notes) {
      this.puts.push(k);
      this.map.set(k, v);
    }
  }
  async get(keys: readonly string[]): Promise<(string | null)[]> {
    this.gets++;
    return keys.map((k) => this.map.get(k) ?? null);
  }
}

const F = 'f1' as InodeKey;
const D = 'd1' as InodeKey;

describe('SharedRecentChanges: notes put only when they say something new', () => {
  let now = 0;
  let store: MemStore;
  const head = () => new SharedRecentChanges(store, 2000, () => now);
  beforeEach(() => {
    now = 0;
    store = new MemStore();
  });

  test('the same value again within half a window is not put again; past it, it is', () => {
    const a = head();
    a.noteEntry(D, 'x');
    now = 999;
    a.noteEntry(D, 'x');
    expect(store.puts).toEqual(['e:d1/x']);
    expect(a.skippedPuts).toBe(1);
    now = 1000; // half the window: the store's copy may expire within the next half, put again
    a.noteEntry(D, 'x');
    expect(store.puts).toEqual(['e:d1/x', 'e:d1/x']);
  });

  test('a new value (a hot file written again) is always put', () => {
    const a = head();
    a.note(F, attrs({ ctime: t(3, 1) }));
    a.note(F, attrs({ ctime: t(3, 2) }));
    expect(store.puts).toEqual(['i:f1', 'i:f1']);
    expect(a.skippedPuts).toBe(0);
  });

  test("a skipped put never makes another head's watcher suppress: the store keeps the newest note any head made", async () => {
    const a = head();
    const b = head();
    const s1 = attrs({ ctime: t(3, 1) });
    const s2 = attrs({ ctime: t(3, 2) });
    a.note(F, s1);
    b.note(F, s2); // B changed it after A
    a.note(F, s1); // A again with the same value: skipped, the store keeps B's newer note
    const watcher = head();
    expect(await watcher.isOwn(F, s2)).toBe(true);
    // An older state is covered by B's later change; a state later than every note is sent.
    expect(await watcher.isOwn(F, s1)).toBe(true);
    expect(await watcher.isOwn(F, attrs({ ctime: t(3, 3) }))).toBe(false);
  });

  test("the machine's watcher keeps its own notes local (its watcher asks them first); shares them again once it is not", async () => {
    let watching = true;
    const w = new SharedRecentChanges(
      store,
      2000,
      () => now,
      () => !watching,
    );
    const s1 = attrs({ ctime: t(3, 1) });
    const d1 = attrs({ fileid: 9n, ctime: t(4) });
    w.note(F, s1);
    w.note(D, d1);
    w.noteEntry(D, 'x');
    expect(store.puts).toEqual([]);
    expect(w.localOnly).toBe(3);
    expect(await w.isOwn(F, s1)).toBe(true);
    expect(await w.isOwnEntry(D, 'x', d1)).toBe(true);
    expect(store.gets).toBe(0);
    watching = false; // another head watches now: it can only learn of this head's changes from the store
    w.note(F, s1);
    expect(store.puts).toEqual(['i:f1']);
  });

  test("the watcher's own write seen before it was noted (done in the kernel, post-op fstat not yet) is asked again, not sent", async () => {
    const w = new SharedRecentChanges(store, 2000, Date.now, () => false);
    w.note(F, attrs({ ctime: t(3, 1) }));
    const s2 = attrs({ size: 20, ctime: t(3, 2) });
    const asked = w.isOwnAll([
      { inode: F, attrs: s2 },
      { inode: 'f2' as InodeKey, attrs: attrs({ fileid: 2n }) }, // changed by nobody here: sent at once
    ]);
    w.note(F, s2); // the write's note, while the watcher waits
    expect(await asked).toEqual([true, false]);
    expect(w.rechecks).toBe(1);
  });
  test('a new inode in a directory another head just changed, seen before that head noted it, is asked again', async () => {
    const a = new SharedRecentChanges(store);
    a.note(D, attrs({ type: FileType.DIR }));
    const watcher = new SharedRecentChanges(store);
    const made = attrs({ mode: 0o600 });
    const asked = watcher.isOwnAll([
      { inode: F, attrs: made, in: D },
      { inode: 'f2' as InodeKey, attrs: attrs({ fileid: 2n }), in: 'd2' as InodeKey }, // nobody's: at once
    ]);
    a.note(F, { ...made, mode: 0o644, ctime: t(3, 1) });
    expect(await asked).toEqual([true, false]);
    expect(watcher.rechecks).toBe(1);
  });
});

describe('SharedRecentChanges: a window of questions in one store round trip', () => {
  let store: MemStore;
  beforeEach(() => {
    store = new MemStore();
  });

  test('many questions, one MGET; the answers are what the questions one by one would say', async () => {
    const gateway = new SharedRecentChanges(store);
    const files = Array.from({ length: 50 }, (_, i) => ({
      inode: `f${i}` as InodeKey,
      attrs: attrs({ fileid: BigInt(i), ctime: t(3, i) }),
    }));
    for (const f of files.slice(0, 25)) gateway.note(f.inode, f.attrs); // half changed by a head
    gateway.noteEntry(D, 'x');
    gateway.note(D, attrs({ type: FileType.DIR }));
    const watcher = new SharedRecentChanges(store);
    const queries = [
      ...files,
      { dir: D, name: 'x', dirAttrs: attrs({ type: FileType.DIR }) },
      { dir: D, name: 'y', dirAttrs: attrs({ type: FileType.DIR }) },
    ];
    const all = await watcher.isOwnAll(queries);
    expect(store.gets).toBe(1);
    expect(all).toEqual([...files.map((_, i) => i < 25), true, false]);
    const one = [];
    for (const f of files) one.push(await watcher.isOwn(f.inode, f.attrs));
    expect(one).toEqual(all.slice(0, 50));
  });

  test('a file another head changed after the state seen is own at once (its note is later): no recheck', async () => {
    const a = new SharedRecentChanges(store);
    a.note(F, attrs({ size: 30, ctime: t(5, 2) }));
    const watcher = new SharedRecentChanges(store);
    expect(await watcher.isOwnAll([{ inode: F, attrs: attrs({ size: 20, ctime: t(5, 1) }) }])).toEqual([
      true,
    ]);
    expect(watcher.rechecks).toBe(0);
    // A directory's older state is not: asked again, then sent.
    a.note(D, attrs({ type: FileType.DIR, ctime: t(5, 2) }));
    expect(await watcher.isOwn(D, attrs({ type: FileType.DIR, ctime: t(5, 1) }))).toBe(false);
    expect(watcher.rechecks).toBe(1);
  });

  test("a directory another head made, seen before that head's mkdir set its owner and mode, is own at once", async () => {
    const a = new SharedRecentChanges(store);
    const made = attrs({
      type: FileType.DIR,
      mode: 0o700,
      ctime: t(5, 1),
      mtime: t(5, 1),
      birthtime: t(5, 1),
    });
    a.note(D, { ...made, mode: 0o755, ctime: t(5, 2) });
    const watcher = new SharedRecentChanges(store);
    expect(await watcher.isOwn(D, made)).toBe(true);
    expect(watcher.rechecks).toBe(0);
    // Made again with the same inode number: another birth, not own.
    expect(await watcher.isOwn(D, { ...made, birthtime: t(5, 0) })).toBe(false);
  });

  test('notes of another state are looked at again, all together: one wait, one more MGET', async () => {
    const a = new SharedRecentChanges(store);
    const old = (i: number) => attrs({ ctime: t(3, i) });
    const now = (i: number) => attrs({ ctime: t(4, i) });
    for (const i of [1, 2, 3]) a.note(`f${i}` as InodeKey, old(i));
    const watcher = new SharedRecentChanges(store);
    const asked = watcher.isOwnAll([1, 2, 3].map((i) => ({ inode: `f${i}` as InodeKey, attrs: now(i) })));
    // The newest notes arrive while the watcher waits (noted after the write, sent a turn later).
    for (const i of [1, 2]) a.note(`f${i}` as InodeKey, now(i));
    expect(await asked).toEqual([true, true, false]);
    expect(store.gets).toBe(2);
    expect(watcher.rechecks).toBe(3);
  });
});
