/**
 * The break and grant rules of gateway/smb/leases (MS-FSA §2.1.4.12, MS-SMB2 §3.3.5.9), checked
 * against the tables smbtorture's smb2.lease tests hold Windows and Samba to.
 */

import {
  blocksOpen,
  breakToForChange,
  breakToForOpen,
  breakToForWrite,
  grantable,
  isStatOpen,
  needsAck,
  type OpenIntent,
} from '../../../../../gateway/smb/leases/break-decisions';
import {
  grantableLeaseState,
  oplockOfState,
  stateOfOplock,
} from '../../../../../gateway/smb/leases/caching-state';
import type { LeaseHolder, OplockHolder } from '../../../../../gateway/smb/leases/holder';

const S = (t: string) => (t.includes('R') ? 1 : 0) | (t.includes('H') ? 2 : 0) | (t.includes('W') ? 4 : 0);
const lease = (state: string, id = 'other'): LeaseHolder =>
  ({
    kind: 'lease',
    id,
    ino: 1n,
    key: Buffer.alloc(16),
    version: 1,
    epoch: 0,
    state: S(state),
    sink: { send() {} },
    opens: new Set(),
  }) as LeaseHolder;
const oplock = (level: number): OplockHolder =>
  ({ kind: 'oplock', ino: 1n, state: stateOfOplock(level), sink: { send() {} } }) as unknown as OplockHolder;
const open: OpenIntent = { statOpen: false, overwrite: false, sharingViolation: false, leaseId: 'mine' };

describe('caching bits', () => {
  test('grantable lease states are R, RH, RW, RWH; H, W, HW alone are nothing (smb2.lease.request)', () => {
    for (const [asked, got] of [
      ['', ''],
      ['R', 'R'],
      ['H', ''],
      ['W', ''],
      ['RH', 'RH'],
      ['RW', 'RW'],
      ['HW', ''],
      ['RHW', 'RHW'],
    ])
      expect(grantableLeaseState(S(asked!))).toBe(S(got!));
  });
  test('oplock levels read as bits and back: BATCH=RWH, EXCLUSIVE=RW, LEVEL_II=R; RH is LEVEL_II', () => {
    expect([9, 8, 1, 0].map(stateOfOplock)).toEqual([7, 5, 1, 0]);
    expect(oplockOfState(S('RH'))).toBe(1);
    expect(oplockOfState(S('H'))).toBe(0);
  });
  test('stat opens: attributes and SYNCHRONIZE only', () => {
    expect(isStatOpen(0x80 | 0x100000)).toBe(true);
    expect(isStatOpen(0x80 | 0x1)).toBe(false);
  });
});

describe('breaks on open (smb2.lease.break table)', () => {
  test.each([
    ['R', 'R'],
    ['RH', 'RH'],
    ['RW', 'R'],
    ['RWH', 'RH'],
  ])('held %s, contended → %s', (held, to) => {
    expect(breakToForOpen(lease(held), open)).toBe(S(to));
  });
  test('never the opener’s own lease, never for a stat open', () => {
    expect(breakToForOpen(lease('RWH', 'mine'), open)).toBe(S('RWH'));
    expect(breakToForOpen(lease('RWH'), { ...open, statOpen: true })).toBe(S('RWH'));
  });
  test('an overwrite takes everything (smb2.lease.breaking2/4/5)', () => {
    for (const held of ['R', 'RH', 'RWH'])
      expect(breakToForOpen(lease(held), { ...open, overwrite: true })).toBe(0);
  });
  test('a sharing violation breaks only handle caching holders (oplock batch1, exclusive1)', () => {
    expect(breakToForOpen(lease('RH'), { ...open, sharingViolation: true })).toBe(S('R'));
    expect(breakToForOpen(lease('RWH'), { ...open, sharingViolation: true })).toBe(S('RW')); // break_twice
    expect(breakToForOpen(oplock(9), { ...open, sharingViolation: true })).toBe(S('R'));
    expect(breakToForOpen(oplock(8), { ...open, sharingViolation: true })).toBe(S('RW'));
  });
  test('BATCH and EXCLUSIVE break to LEVEL_II; the open waits only for breaks that take W (or H it conflicts with)', () => {
    const b = oplock(9);
    const to = breakToForOpen(b, open);
    expect(oplockOfState(to)).toBe(1);
    expect(blocksOpen(b, to, open)).toBe(true);
    const rh = lease('RH');
    expect(blocksOpen(rh, 0, { ...open, overwrite: true })).toBe(false); // breaking4
    expect(blocksOpen(rh, S('R'), { ...open, sharingViolation: true })).toBe(true);
  });
});

describe('writes and upcalls', () => {
  test('a write takes all caching of the others (lease.complex1, oplock levelii500)', () => {
    expect(breakToForWrite(lease('RH'))).toBe(0);
    expect(breakToForWrite(oplock(1))).toBe(0);
  });
  test('an upcall keeps handle caching unless the name went', () => {
    expect(breakToForChange(lease('RWH'), false)).toBe(S('H'));
    expect(breakToForChange(lease('RWH'), true)).toBe(0);
    expect(oplockOfState(breakToForChange(oplock(9), false))).toBe(0);
  });
  test('acknowledgment needed when W or H is held (oplocks: when W)', () => {
    expect(needsAck(lease('R'))).toBe(false);
    expect(needsAck(lease('RH'))).toBe(true);
    expect(needsAck(oplock(1))).toBe(false);
    expect(needsAck(oplock(8))).toBe(true);
  });
});

describe('grants', () => {
  test('W only without other opens; oplocks with others get LEVEL_II', () => {
    expect(grantable(S('RWH'), false, false)).toBe(S('RWH'));
    expect(grantable(S('RWH'), true, false)).toBe(S('RH'));
    expect(grantable(S('RW'), true, false)).toBe(S('R'));
    expect(oplockOfState(grantable(stateOfOplock(9), true, true))).toBe(1);
    expect(oplockOfState(grantable(stateOfOplock(9), false, true))).toBe(9);
  });
});
