import {
  ACCESS3_ALL,
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
  grantedAccess,
} from '../../../../gateway/backend/access-bits';
import { FileType } from '../../../../gateway/backend/attrs';
import { ALICE, BOB, ROOT } from './fixture';

const RW = ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND;
const DIR_ALL = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE;
const file = (mode: number, uid = 1001, gid = 1001) => ({ type: FileType.REG, mode, uid, gid });
const dir = (mode: number, uid = 1001, gid = 1001) => ({ type: FileType.DIR, mode, uid, gid });

describe('ACCESS3 bits (RFC 1813 §3.3.4)', () => {
  test('root gets read and write on anything, but EXECUTE only when some x bit is set', () => {
    expect(grantedAccess(file(0o000), ROOT, ACCESS3_ALL)).toBe(RW);
    expect(grantedAccess(file(0o001), ROOT, ACCESS3_ALL)).toBe(RW | ACCESS3_EXECUTE);
    expect(grantedAccess(dir(0o000), ROOT, ACCESS3_ALL)).toBe(DIR_ALL);
  });

  test('the owner class decides for the owner even when group or other bits are wider', () => {
    expect(grantedAccess(file(0o077), ALICE, ACCESS3_ALL)).toBe(0);
    expect(grantedAccess(file(0o700), ALICE, ACCESS3_ALL)).toBe(RW | ACCESS3_EXECUTE);
  });

  test('group bits apply through the primary or a supplementary group', () => {
    expect(grantedAccess(file(0o040, 5, 1001), ALICE, ACCESS3_ALL)).toBe(ACCESS3_READ);
    expect(grantedAccess(file(0o060, 5, 3000), ALICE, ACCESS3_ALL)).toBe(RW);
    expect(grantedAccess(file(0o060, 5, 3000), BOB, ACCESS3_ALL)).toBe(0);
  });

  test('other bits apply to everyone else', () => {
    expect(grantedAccess(file(0o604, 5, 5), BOB, ACCESS3_ALL)).toBe(ACCESS3_READ);
  });

  test('on a directory, modifying entries needs both w and x; LOOKUP needs x', () => {
    expect(grantedAccess(dir(0o600), ALICE, ACCESS3_ALL)).toBe(ACCESS3_READ);
    expect(grantedAccess(dir(0o300), ALICE, ACCESS3_ALL)).toBe(
      ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE,
    );
  });

  test('only asked-for bits come back; a read-only export never grants write rights', () => {
    expect(grantedAccess(file(0o777), ALICE, ACCESS3_READ)).toBe(ACCESS3_READ);
    expect(grantedAccess(file(0o777), ROOT, ACCESS3_ALL, true)).toBe(ACCESS3_READ | ACCESS3_EXECUTE);
    expect(grantedAccess(dir(0o777), ROOT, ACCESS3_ALL, true)).toBe(ACCESS3_READ | ACCESS3_LOOKUP);
  });
});
