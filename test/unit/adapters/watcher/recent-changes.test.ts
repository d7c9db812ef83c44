import { RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import { type Attrs, FileType } from '../../../../gateway/backend/attrs';

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

describe('RecentChangeSet: the gateway own changes, recognised by what they left', () => {
  let now = 0;
  const set = () => new RecentChangeSet({ windowMs: 1000, capacity: 3, now: () => now });
  beforeEach(() => {
    now = 0;
  });

  test('an inode as the gateway left it is own; a later change by anyone else is not', () => {
    const r = set();
    r.note(7, attrs());
    expect(r.isOwn(7, attrs())).toBe(true);
    // Another program appended: size and ctime moved.
    expect(r.isOwn(7, attrs({ size: 20, ctime: t(3, 5) }))).toBe(false);
    // Same tick, same size but another mode (chmod): not own either.
    expect(r.isOwn(7, attrs({ mode: 0o600 }))).toBe(false);
    expect(r.isOwn(8, attrs())).toBe(false);
  });

  test('a note counts only within its window', () => {
    const r = set();
    r.note(7, attrs());
    now = 1001;
    expect(r.isOwn(7, attrs())).toBe(false);
  });

  test('gone: a forgotten inode matches only a deletion', () => {
    const r = set();
    r.note(7, undefined);
    expect(r.isOwn(7, undefined)).toBe(true);
    expect(r.isOwn(7, attrs())).toBe(false);
  });

  test('an entry is own only when named by the gateway and the directory is unchanged since', () => {
    const r = set();
    const dir = attrs({ type: FileType.DIR, fileid: 2n });
    r.note(2, dir);
    r.noteEntry(2, 'a');
    expect(r.isOwnEntry(2, 'a', dir)).toBe(true);
    expect(r.isOwnEntry(2, 'b', dir)).toBe(false); // another program's entry in the same dir
    expect(r.isOwnEntry(2, 'a', { ...dir, ctime: t(9) })).toBe(false);
  });

  test('a file the gateway changed after the state seen is own; the same tick, or a later state, is not', () => {
    const r = set();
    r.note(7, attrs({ size: 30, ctime: t(5, 2) })); // the gateway's newest write
    // What the watcher saw was older (written before that write, by anyone): covered by it.
    expect(r.isOwn(7, attrs({ size: 20, ctime: t(5, 1) }))).toBe(true);
    expect(r.isOwn(7, attrs({ size: 20, ctime: t(4, 9) }))).toBe(true);
    // The same ctime but another state: changes in one clock tick are not ordered.
    expect(r.isOwn(7, attrs({ size: 40, ctime: t(5, 2) }))).toBe(false);
    // Later than the note: another program changed it after the gateway.
    expect(r.isOwn(7, attrs({ size: 40, ctime: t(5, 3) }))).toBe(false);
    // Gone now, or noted gone: nothing later to compare.
    expect(r.isOwn(7, undefined)).toBe(false);
    r.note(8, undefined);
    expect(r.isOwn(8, attrs({ fileid: 8n }))).toBe(false);
  });

  test("the gateway's write seen before its note is asked again once, all together; an inode nobody changed is not", async () => {
    const r = new RecentChangeSet();
    r.note(7, attrs({ ctime: t(3, 1) }));
    const s2 = attrs({ size: 20, ctime: t(3, 2) });
    const asked = r.isOwnAll([
      { inode: 7, attrs: s2 },
      { inode: 8, attrs: attrs({ fileid: 8n }) },
    ]);
    r.note(7, s2); // the write's note, while the watcher waits
    expect(await asked).toEqual([true, false]);
    expect(r.rechecks).toBe(1);
  });

  test('a new inode the gateway made in a directory it just changed, seen before its first note, is asked again; one in another directory is not', async () => {
    const r = new RecentChangeSet();
    r.note(2, attrs({ type: FileType.DIR, fileid: 2n })); // the gateway's mkdir of directory 2
    const made = attrs({ fileid: 9n, mode: 0o600 }); // its create of 9 in there, half done
    const asked = r.isOwnAll([
      { inode: 9, attrs: made, in: 2 },
      { inode: 10, attrs: attrs({ fileid: 10n }), in: 3 }, // a directory nobody changed: sent at once
    ]);
    r.note(9, { ...made, mode: 0o644, ctime: t(3, 1) }); // the create's note, while the watcher waits
    expect(await asked).toEqual([true, false]);
    expect(r.rechecks).toBe(1);
  });

  test('a directory matches only exactly: its entries are not in its attributes', () => {
    const r = set();
    r.note(2, attrs({ type: FileType.DIR, fileid: 2n, ctime: t(5, 2) }));
    expect(r.isOwn(2, attrs({ type: FileType.DIR, fileid: 2n, ctime: t(5, 1) }))).toBe(false);
    r.noteEntry(2, 'a');
    expect(r.isOwnEntry(2, 'a', attrs({ type: FileType.DIR, fileid: 2n, ctime: t(5, 1) }))).toBe(false);
  });

  test('a directory matches any of its last noted states, not one nobody noted', () => {
    const r = set();
    const dir = (sec: number, nsec: number) => attrs({ type: FileType.DIR, fileid: 2n, ctime: t(sec, nsec) });
    r.note(2, dir(5, 1)); // the gateway creates 'a' …
    r.noteEntry(2, 'a');
    r.note(2, dir(5, 2)); // … and removes it again before the watcher looks
    r.noteEntry(2, 'a');
    // The watcher lstat'ed the directory between the two: a state the gateway left.
    expect(r.isOwnEntry(2, 'a', dir(5, 1))).toBe(true);
    expect(r.isOwn(2, dir(5, 1))).toBe(true);
    // A state between them that nobody noted (another program) is not own.
    expect(r.isOwnEntry(2, 'a', { ...dir(5, 1), nlink: 3 })).toBe(false);
    // Only the last few states are kept.
    for (let i = 3; i < 20; i++) r.note(2, dir(5, i));
    expect(r.isOwn(2, dir(5, 1))).toBe(false);
    expect(r.isOwn(2, dir(5, 12))).toBe(true);
  });

  test("a directory seen with no entry since made, before the gateway's mkdir set its owner and mode, is own; one with an entry since, or another birth, is not", () => {
    const r = set();
    // mkdir: 0700, root's, ctime = mtime = birth time.
    const born = attrs({ type: FileType.DIR, fileid: 2n, mode: 0o700, uid: 0, gid: 0, birthtime: t(5, 1) });
    const made = { ...born, ctime: t(5, 1), mtime: t(5, 1) };
    r.note(2, { ...made, mode: 0o755, uid: 1, gid: 1, ctime: t(5, 3) }); // after fchown, fchmod
    expect(r.isOwn(2, made)).toBe(true);
    // Between the fchown and the fchmod: attributes set since, no entry.
    expect(r.isOwn(2, { ...made, uid: 1, gid: 1, ctime: t(5, 2) })).toBe(true);
    expect(r.isOwn(2, { ...made, uid: 1, gid: 1, ctime: t(5, 3) })).toBe(false); // not later
    // An entry added since it was made (mtime moved): its listing is news.
    expect(r.isOwn(2, { ...made, mtime: t(5, 2), ctime: t(5, 2) })).toBe(false);
    // The same inode number made again (another birth): not this note's.
    expect(r.isOwn(2, { ...made, birthtime: t(5, 3), ctime: t(5, 3), mtime: t(5, 3) })).toBe(false);
    // No birth time known (it is the ctime then): never later than itself.
    r.note(3, { ...made, fileid: 3n, birthtime: t(5, 2), ctime: t(5, 2) });
    expect(r.isOwn(3, { ...made, fileid: 3n })).toBe(false);
    // A state of an earlier incarnation, kept among the directory's last states, still counts.
    r.note(2, { ...made, birthtime: t(6, 1), ctime: t(6, 2), mtime: t(6, 1) });
    expect(r.isOwn(2, made)).toBe(true);
  });

  test('a file the gateway made and removed at once: a state before its last note is still own; one after it is not', () => {
    const r = set();
    // create: 0600 first, then fchown and fchmod (the note); then unlink before the watcher asks.
    const half = attrs({ mode: 0o600, size: 0, ctime: t(5, 1), mtime: t(5, 1) });
    r.note(7, { ...half, mode: 0o644, ctime: t(5, 2) });
    r.note(7, undefined);
    expect(r.isOwn(7, half)).toBe(true);
    expect(r.isOwn(7, { ...half, size: 4, ctime: t(5, 3), mtime: t(5, 3) })).toBe(false);
  });

  test("an entry whose directory state is seen before the gateway's note of it is asked again", async () => {
    const r = new RecentChangeSet();
    const dir = (nsec: number) => attrs({ type: FileType.DIR, fileid: 2n, ctime: t(5, nsec) });
    r.note(2, dir(1));
    r.noteEntry(2, 'a');
    const asked = r.isOwnAll([
      { dir: 2, name: 'a', dirAttrs: dir(2) },
      { dir: 3, name: 'b', dirAttrs: attrs({ type: FileType.DIR, fileid: 3n }) },
    ]);
    r.note(2, dir(2)); // the unlink's note, after the kernel did it
    r.note(2, dir(3)); // and the next create's, before the recheck
    r.noteEntry(2, 'a');
    expect(await asked).toEqual([true, false]);
    expect(r.rechecks).toBe(1);
  });

  test('bounded: the oldest notes go first', () => {
    const r = set();
    for (let i = 1; i <= 5; i++) r.note(i, attrs());
    expect(r.size).toBe(3);
    expect(r.isOwn(1, attrs())).toBe(false);
    expect(r.isOwn(5, attrs())).toBe(true);
  });

  test('a note made again replaces the state in place: the newest state counts, the size stays', () => {
    const r = set();
    r.note(1, attrs({ size: 1 }));
    r.note(1, attrs({ size: 2 }));
    expect(r.size).toBe(1);
    expect(r.isOwn(1, attrs({ size: 2 }))).toBe(true);
    expect(r.isOwn(1, attrs({ size: 1 }))).toBe(false); // same ctime: not later, and not as left
    r.note(1, undefined);
    expect(r.isOwn(1, undefined)).toBe(true); // gone, as noted last
    expect(r.isOwn(1, attrs({ size: 2 }))).toBe(true); // its last state before, kept
    expect(r.isOwn(1, attrs({ size: 3, ctime: t(4) }))).toBe(false); // nobody noted a later one
  });
});
