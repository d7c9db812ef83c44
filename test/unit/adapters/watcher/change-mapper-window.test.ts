import { appendFile, lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMapper, WATCH_FLAGS } from '../../../../adapters/watcher/change-mapper';
import { PathInodes } from '../../../../adapters/watcher/path-inodes';
import { type OwnQuery, RecentChangeSet } from '../../../../adapters/watcher/recent-changes';
import type { Attrs } from '../../../../gateway/backend/attrs';
import { attrsOf } from '../../../../gateway/backend/attrs-of';
import { inodeKeyOf } from '../../../../gateway/backend/inode-key';
import type { ChangeEvent, InodeKey, UpcallCore } from '../../../../upcall-core';

/** Counts batched and one-by-one questions. */
class CountingRecent extends RecentChangeSet {
  batches: number[] = [];
  single = 0;
  override isOwn(inode: InodeKey, attrs: Attrs | undefined): boolean {
    this.single++;
    return super.isOwn(inode, attrs);
  }
  override isOwnEntry(dir: InodeKey, name: string, dirAttrs: Attrs): boolean {
    this.single++;
    return super.isOwnEntry(dir, name, dirAttrs);
  }
  override async isOwnAll(queries: readonly OwnQuery[]): Promise<boolean[]> {
    this.batches.push(queries.length);
    const single = this.single;
    const out = await super.isOwnAll(queries);
    this.single = single; // the base answers through isOwn/isOwnEntry: not one-by-one questions
    return out;
  }
}

const keyOf = async (p: string) => inodeKeyOf((await lstat(p, { bigint: true })).ino);
const attrsAt = async (p: string) => attrsOf(await lstat(p, { bigint: true }), 0n);

describe('ChangeMapper: a window asks the gateway notes once', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watcher-window-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('20 updates and a create: one question batch, no question one by one; own ones suppressed, the rest sent', async () => {
    const calls: ChangeEvent<Attrs>[] = [];
    const core = {
      change: (_o: string, ev: ChangeEvent<Attrs>) => void calls.push(ev),
    } as unknown as UpcallCore<Attrs>;
    const recent = new CountingRecent();
    const paths = new PathInodes();
    const m = new ChangeMapper({ core, origin: 'h/watcher', paths, recent, flushHolders: () => {} });
    const files = Array.from({ length: 20 }, (_, i) => join(dir, `f${i}`));
    for (const f of files) {
      await writeFile(f, 'a');
      paths.set(f, { inode: await keyOf(f), dir: false });
      await appendFile(f, 'b');
    }
    for (const f of files.slice(0, 10)) recent.note(await keyOf(f), await attrsAt(f)); // the gateway's own
    await writeFile(join(dir, 'new'), '');

    const parents = new Map<string, Promise<Attrs | undefined>>();
    const list = await Promise.all([
      ...files.map((f) => m.inspect(f, 'update', parents)),
      m.inspect(join(dir, 'new'), 'create', parents),
    ]);
    expect(parents.size).toBe(1); // the directory lstat'ed once for its 21 entries
    const answers = await m.ask(list);
    for (const ins of list) await m.act(ins, answers);

    expect(recent.batches).toEqual([21]);
    expect(recent.single).toBe(0);
    expect(m.counters.suppressed).toBe(10);
    const sent = calls.filter((c) => c.flags === WATCH_FLAGS.update).map((c) => c.inode);
    expect(sent.sort()).toEqual((await Promise.all(files.slice(10).map(keyOf))).sort());
    const dirKey = await keyOf(dir);
    expect(calls).toContainEqual({ inode: dirKey, flags: WATCH_FLAGS.create, name: 'new' });
  });
});
