import { UpcallFlags as F } from '../../../upcall-core';
import { record, T_MS, virtualCore } from '../../helpers/virtual-time';

const inodeEvents = <S>(got: { kind: string }[]) => got.filter((e) => e.kind === 'inode') as unknown as S[];

describe('rule 1: read-type fops register, nobody is notified', () => {
  test('access registers the client and notifies nobody', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    const b = record(core, 'B');
    core.access('A', 'i1');
    core.access('B', 'i1');
    time.settle();
    expect(a).toEqual([]);
    expect(b).toEqual([]);
    expect(core.lastAccess('A', 'i1')).toBe(0);
    expect(core.stats()).toMatchObject({ trackedInodes: 1, clientEntries: 2 });
  });

  test('a second access refreshes the time instead of adding an entry', () => {
    const { core, time } = virtualCore();
    core.access('A', 'i1');
    time.advance(5000);
    core.access('A', 'i1');
    expect(core.lastAccess('A', 'i1')).toBe(5000);
    expect(core.stats().clientEntries).toBe(1);
  });
});

describe('rule 2: a change notifies every other recent client, never the originator', () => {
  test('other recent clients get the flags and the stat; the originator gets nothing', () => {
    const { core, time } = virtualCore<{ size: number }>();
    const got = { A: record(core, 'A'), B: record(core, 'B'), C: record(core, 'C') };
    core.access('A', 'f');
    core.access('B', 'f');
    core.change('C', { inode: 'f', flags: F.SIZE | F.TIMES, stat: { size: 7 } });
    time.settle();
    for (const who of ['A', 'B'] as const) {
      expect(got[who]).toEqual([
        expect.objectContaining({
          kind: 'inode',
          inode: 'f',
          flags: F.SIZE | F.TIMES,
          stat: { size: 7 },
          origin: 'C',
          target: who,
          seq: 1,
          expireTimeAttr: 60,
        }),
      ]);
    }
    expect(got.C).toEqual([]);
  });

  test('the originator is registered by its change and refreshed', () => {
    const { core, time } = virtualCore();
    time.advance(1000);
    core.change('C', { inode: 'f', flags: F.SIZE });
    expect(core.lastAccess('C', 'f')).toBe(1000);
  });

  test('delivery is asynchronous: nothing reaches a subscriber inside change()', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.SIZE });
    expect(a).toHaveLength(0);
    time.settle();
    expect(a).toHaveLength(1);
  });

  test('exactly T after the access the client is no longer notified (strict)', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    time.advance(T_MS - 1);
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(a).toHaveLength(1);
    time.advance(1); // now exactly T after A's access
    core.change('B', { inode: 'f', flags: F.SIZE });
    time.settle();
    expect(a).toHaveLength(1);
  });

  test('between T and 2T the entry is silent but kept; past 2T a change deletes it', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    // Drive the clock by hand so no reaper pass runs between the steps.
    time.scheduler.frame = 1.5 * T_MS;
    core.change('B', { inode: 'f', flags: F.SIZE });
    expect(core.lastAccess('A', 'f')).toBe(0);
    time.scheduler.frame = 2 * T_MS;
    core.change('B', { inode: 'f', flags: F.SIZE });
    expect(core.lastAccess('A', 'f')).toBe(0); // exactly 2T: still kept
    time.scheduler.frame = 2 * T_MS + 1;
    core.change('B', { inode: 'f', flags: F.SIZE });
    expect(core.lastAccess('A', 'f')).toBeUndefined();
    time.settle();
    expect(a).toHaveLength(0);
  });

  test('being notified does not refresh the notified client', () => {
    const { core, time } = virtualCore();
    record(core, 'A');
    core.access('A', 'f');
    time.advance(1000);
    core.change('B', { inode: 'f', flags: F.SIZE });
    expect(core.lastAccess('A', 'f')).toBe(0);
  });

  test('a client that listens on several heads gets one event per change, not one per registration', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'dir');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.NLINK | F.TIMES | F.PARENT_TIMES, parent: 'dir', name: 'x' });
    time.settle();
    expect(a).toHaveLength(1);
  });
});

describe('rule 3: atime alone notifies nobody', () => {
  test('an ATIME-only change is not delivered but refreshes the originator', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    time.advance(10);
    core.change('B', { inode: 'f', flags: F.ATIME });
    time.settle();
    expect(a).toEqual([]);
    expect(core.lastAccess('B', 'f')).toBe(10);
  });

  test('ATIME together with other bits is delivered', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.ATIME | F.TIMES });
    time.settle();
    expect(a).toHaveLength(1);
  });
});

describe('rule 4: forget', () => {
  test('FORGET goes to every listed client, expired or not, and the state is dropped', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    const b = record(core, 'B');
    core.access('A', 'f');
    time.scheduler.frame = 1.5 * T_MS; // A is now silent (between T and 2T)
    core.access('B', 'f');
    core.forget('f', 'C');
    time.settle();
    expect(inodeEvents(a)).toEqual([expect.objectContaining({ inode: 'f', flags: F.FORGET, origin: 'C' })]);
    expect(inodeEvents(b)).toEqual([expect.objectContaining({ inode: 'f', flags: F.FORGET })]);
    expect(core.stats()).toMatchObject({ trackedInodes: 0, clientEntries: 0, forgets: 2 });
  });

  test('forgetting an unknown inode is harmless', () => {
    const { core } = virtualCore();
    expect(() => core.forget('nope')).not.toThrow();
  });
});

describe('directory-entry changes also reach the parents\u2019 recent clients (better than GlusterFS #933)', () => {
  test('unlink: a client that only listed the parent is told', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'dir');
    core.change('B', { inode: 'f', flags: F.NLINK | F.TIMES | F.PARENT_TIMES, parent: 'dir', name: 'f.txt' });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ inode: 'f', parent: 'dir', name: 'f.txt' })]);
  });

  test('rename: clients of the old parent and of the new parent are told', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    const c = record(core, 'C');
    core.access('A', 'old');
    core.access('C', 'new');
    core.change('B', {
      inode: 'f',
      flags: F.RENAME | F.PARENT_TIMES,
      parent: 'new',
      name: 'y',
      oldParent: 'old',
      oldName: 'x',
    });
    time.settle();
    expect(a).toHaveLength(1);
    expect(c).toHaveLength(1);
    expect(a[0]).toMatchObject({ oldParent: 'old', oldName: 'x', parent: 'new', name: 'y' });
  });

  test('a plain write does not reach the parent\u2019s clients', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'dir');
    core.change('B', { inode: 'f', flags: F.SIZE | F.TIMES, parent: 'dir' });
    time.settle();
    expect(a).toEqual([]);
  });
});

describe('rule 7: xattr changes filtered by each client\u2019s patterns', () => {
  test('only matching names are delivered, and only to clients that registered them', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    const c = record(core, 'C');
    core.registerXattrs('A', ['user.*']);
    core.registerXattrs('C', ['security.selinux']);
    core.access('A', 'f');
    core.access('C', 'f');
    core.change('B', { inode: 'f', flags: F.XATTR, xattrs: ['user.tag', 'trusted.x'] });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ flags: F.XATTR, xattrs: ['user.tag'] })]);
    expect(c).toEqual([]);
  });

  test('a client without patterns gets no xattr news; after unregistering, neither', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.XATTR_RM, xattrs: ['user.a'] });
    core.registerXattrs('A', ['user.?']);
    core.change('B', { inode: 'f', flags: F.XATTR_RM, xattrs: ['user.a'] });
    core.unregisterXattrs('A');
    core.change('B', { inode: 'f', flags: F.XATTR_RM, xattrs: ['user.b'] });
    time.settle();
    expect(a.map((e) => e.kind === 'inode' && e.xattrs)).toEqual([['user.a']]);
  });

  test('non-matching xattr bits are stripped from a mixed change, the rest delivered', () => {
    const { core, time } = virtualCore();
    const a = record(core, 'A');
    core.access('A', 'f');
    core.change('B', { inode: 'f', flags: F.MODE | F.XATTR, xattrs: ['system.posix_acl_access'] });
    time.settle();
    expect(a).toEqual([expect.objectContaining({ flags: F.MODE, xattrs: undefined })]);
  });
});

describe('input validation', () => {
  test('unknown or zero flags are refused with a clear error', () => {
    const { core } = virtualCore();
    expect(() => core.change('B', { inode: 'f', flags: 0 })).toThrow(/invalid flags 0x0/);
    expect(() => core.change('B', { inode: 'f', flags: 0x10000 })).toThrow(/invalid flags 0x10000/);
  });

  test('bad xattr patterns are refused', () => {
    const { core } = virtualCore();
    expect(() => core.registerXattrs('A', [''])).toThrow(/non-empty strings/);
  });
});
