import { applyPlan, type CacheAdapter, evictionPlan } from '../../../adapters';
import { UpcallFlags as F, type Invalidation } from '../../../upcall-core';

const ev = (flags: number, extra: object = {}): Invalidation =>
  ({
    kind: 'inode',
    inode: 7,
    flags,
    origin: 'o',
    target: 't',
    expireTimeAttr: 60,
    seq: 1,
    at: 0,
    ...extra,
  }) as Invalidation;

/** Records every call, so a plan can be checked as the cache sees it. */
function recorder(): CacheAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    evictAttrs: (i) => calls.push(`attrs ${i}`),
    evictDentry: (d, n) => calls.push(`dentry ${d}/${n ?? '*'}`),
    evictListing: (d) => calls.push(`listing ${d}`),
    evictHandle: (i) => calls.push(`handle ${i}`),
    evictXattrs: (i, n) => calls.push(`xattrs ${i} ${n?.join(',')}`),
    flushAll: () => calls.push('flush'),
  };
}

const run = (e: Invalidation) => {
  const r = recorder();
  applyPlan(r, evictionPlan(e));
  return r.calls;
};

describe('eviction plan: one table for NFS and SMB (DESIGN.md)', () => {
  test.each([F.SIZE, F.TIMES, F.MODE, F.OWN, F.PERM, F.NLINK, F.INVAL_ATTR])(
    'attribute flag 0x%s drops the attributes',
    (flag) => {
      expect(run(ev(flag))).toEqual(expect.arrayContaining(['attrs 7']));
    },
  );

  test('a create in a directory drops that name (a negative entry), the listing and the attributes', () => {
    expect(run(ev(F.TIMES, { name: 'new' }))).toEqual(
      expect.arrayContaining(['attrs 7', 'listing 7', 'dentry 7/new']),
    );
  });

  test('unlink drops the dentry, the parent listing and attributes, and the target attributes', () => {
    const calls = run(ev(F.NLINK | F.TIMES | F.PARENT_TIMES, { parent: 3, name: 'f' }));
    expect(calls).toEqual(expect.arrayContaining(['attrs 7', 'dentry 3/f', 'listing 3', 'attrs 3']));
  });

  test('rename drops both names and both listings', () => {
    const calls = run(ev(F.RENAME | F.PARENT_TIMES, { parent: 3, name: 'b', oldParent: 2, oldName: 'a' }));
    expect(calls).toEqual(expect.arrayContaining(['dentry 3/b', 'dentry 2/a', 'listing 3', 'listing 2']));
  });

  test('forget drops everything about the inode', () => {
    expect(run(ev(F.FORGET))).toEqual(['handle 7']);
  });

  test('xattr events drop only the named xattrs', () => {
    expect(run(ev(F.XATTR, { xattrs: ['user.a'] }))).toEqual(['xattrs 7 user.a']);
  });

  test('flush-all drops everything', () => {
    expect(run({ kind: 'flush-all', reason: 'overflow', target: 't', seq: 1, at: 0 })).toEqual(['flush']);
  });

  test('atime alone evicts nothing (it is never sent, but must be harmless)', () => {
    expect(run(ev(F.ATIME))).toEqual([]);
  });
});
