/**
 * GlusterFS's own upcall scenarios, ported: each test replays what two clients do and checks
 * who is told what, with flags as the fop table (DESIGN.md) prescribes.
 */
import { UpcallFlags as F, FOP_RULES, type Invalidation } from '../../../upcall-core';
import { record, virtualCore } from '../../helpers/virtual-time';

const flagsOf = (evs: Invalidation[]) => evs.map((e) => (e.kind === 'inode' ? e.flags : -1));

test('two clients alternately read and write: each round the reader gets SIZE|TIMES, the writer never its own', () => {
  const { core, time } = virtualCore();
  const got = { A: record(core, 'A'), B: record(core, 'B') };
  const clients = ['A', 'B'] as const;
  for (let round = 0; round < 6; round++) {
    const reader = clients[round % 2];
    const writer = clients[(round + 1) % 2];
    const before = { A: got.A.length, B: got.B.length };
    core.access(reader, 'file');
    time.advance(100);
    core.change(writer, { inode: 'file', flags: FOP_RULES.write.flags, stat: { round } });
    time.advance(100);
    expect(got[reader].slice(before[reader])).toEqual([
      expect.objectContaining({ flags: F.SIZE | F.TIMES, origin: writer, stat: { round } }),
    ]);
    expect(got[writer].length).toBe(before[writer]);
  }
});

test('A looks up a missing name, B creates it: A gets TIMES on the parent', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.access('A', 'dir'); // the failed lookup still touched the parent
  core.change('B', { inode: 'dir', flags: FOP_RULES.create.flags, stat: { nlink: 2 }, name: 'new.txt' });
  core.access('B', 'new-inode');
  time.settle();
  expect(a).toEqual([expect.objectContaining({ inode: 'dir', flags: F.TIMES, name: 'new.txt' })]);
});

test('a lone client doing lookup, create and rename gets nothing', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.access('A', 'dir');
  core.change('A', { inode: 'dir', flags: F.TIMES, name: 'x' });
  core.access('A', 'x');
  core.change('A', {
    inode: 'x',
    flags: F.RENAME | F.PARENT_TIMES,
    parent: 'dir',
    name: 'y',
    oldParent: 'dir',
    oldName: 'x',
  });
  time.settle();
  expect(a).toEqual([]);
});

test('A lists a directory (readdirplus registers every entry), B writes one entry: A is told about that entry', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.access('A', 'dir');
  for (const e of ['e1', 'e2', 'e3']) core.access('A', e);
  core.change('B', { inode: 'e2', flags: F.SIZE | F.TIMES });
  time.settle();
  expect(a).toEqual([expect.objectContaining({ inode: 'e2', flags: F.SIZE | F.TIMES })]);
});

test('B unlinks a file A looked up: NLINK|TIMES|PARENT_TIMES with the parent stat', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.access('A', 'f');
  core.change('B', {
    inode: 'f',
    flags: FOP_RULES.unlink.flags,
    parent: 'dir',
    parentStat: { size: 0 },
    name: 'f',
  });
  time.settle();
  expect(flagsOf(a)).toEqual([F.NLINK | F.TIMES | F.PARENT_TIMES]);
  expect(a[0]).toMatchObject({ parent: 'dir', parentStat: { size: 0 } });
});

test('B renames a file A looked up: RENAME|PARENT_TIMES with both parents', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.access('A', 'f');
  core.change('B', {
    inode: 'f',
    flags: FOP_RULES.rename.flags,
    parent: 'd2',
    parentStat: 2,
    name: 'g',
    oldParent: 'd1',
    oldParentStat: 1,
    oldName: 'f',
  });
  time.settle();
  expect(a).toEqual([
    expect.objectContaining({
      flags: F.RENAME | F.PARENT_TIMES,
      parent: 'd2',
      parentStat: 2,
      oldParent: 'd1',
      oldParentStat: 1,
    }),
  ]);
});

test('xattr changes reach A only for the names A registered', () => {
  const { core, time } = virtualCore();
  const a = record(core, 'A');
  core.registerXattrs('A', ['user.samba.*', 'security.NTACL']);
  core.access('A', 'f');
  core.change('B', { inode: 'f', flags: FOP_RULES.setxattr.flags, xattrs: ['user.other'] });
  core.change('B', { inode: 'f', flags: FOP_RULES.setxattr.flags, xattrs: ['security.NTACL', 'user.other'] });
  core.change('B', { inode: 'f', flags: FOP_RULES.removexattr.flags, xattrs: ['user.samba.dosattrib'] });
  time.settle();
  expect(a.map((e) => e.kind === 'inode' && [e.flags, e.xattrs])).toEqual([
    [F.XATTR | F.XATTR_RM, ['security.NTACL', 'user.samba.dosattrib']],
  ]);
});
