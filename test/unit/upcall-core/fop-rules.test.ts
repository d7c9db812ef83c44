import { UpcallFlags as F, FOP_RULES, READ_FOPS, setattrFlags } from '../../../upcall-core';

const base = { mode: 0o644, uid: 1, gid: 1, size: 10, atimeMs: 1, mtimeMs: 1 };

describe('the fop table (DESIGN.md)', () => {
  test('write-type fops send SIZE|TIMES; creates TIMES on the parent; unlink NLINK|TIMES|PARENT_TIMES', () => {
    for (const f of ['write', 'truncate', 'fallocate', 'discard', 'zerofill'] as const) {
      expect(FOP_RULES[f]).toEqual({ flags: F.SIZE | F.TIMES, notifies: 'target' });
    }
    for (const f of ['create', 'mkdir', 'mknod', 'symlink'] as const) {
      expect(FOP_RULES[f]).toEqual({ flags: F.TIMES, notifies: 'parent' });
    }
    expect(FOP_RULES.unlink.flags).toBe(F.NLINK | F.TIMES | F.PARENT_TIMES);
    expect(FOP_RULES.rmdir.flags).toBe(F.NLINK | F.TIMES | F.PARENT_TIMES);
    expect(FOP_RULES.link.flags).toBe(F.NLINK | F.TIMES | F.PARENT_TIMES);
    expect(FOP_RULES.rename.flags).toBe(F.RENAME | F.PARENT_TIMES);
    expect(READ_FOPS).toContain('readdirplus');
  });

  test('flag bit values are GlusterFS\u2019s', () => {
    expect(F).toMatchObject({
      NLINK: 1,
      MODE: 2,
      OWN: 4,
      SIZE: 8,
      TIMES: 0x10,
      ATIME: 0x20,
      PERM: 0x40,
      RENAME: 0x80,
      FORGET: 0x100,
    });
    expect(F).toMatchObject({
      PARENT_TIMES: 0x200,
      XATTR: 0x400,
      XATTR_RM: 0x800,
      EXPLICIT_LOOKUP: 0x1000,
      INVAL_ATTR: 0x2000,
    });
  });
});

describe('setattrFlags: only the bits that really changed (better than GlusterFS)', () => {
  test.each([
    [{ mode: 0o600 }, F.MODE | F.PERM | F.XATTR],
    [{ uid: 2 }, F.OWN | F.PERM],
    [{ gid: 2 }, F.OWN | F.PERM],
    [{ size: 0 }, F.SIZE | F.TIMES],
    [{ mtimeMs: 5 }, F.TIMES],
    [{ atimeMs: 5 }, F.ATIME],
    [{ atimeMs: 5, mode: 0o600 }, F.MODE | F.PERM | F.XATTR],
    [{}, 0],
  ])('%p → 0x%s', (change, want) => {
    expect(setattrFlags(base, { ...base, ...change })).toBe(want);
  });
});
