import {
  ACCESS3_ALL,
  ACCESS3_DELETE,
  ACCESS3_EXECUTE,
  ACCESS3_EXTEND,
  ACCESS3_LOOKUP,
  ACCESS3_MODIFY,
  ACCESS3_READ,
} from '../../../../gateway/backend/access-bits';
import { ALICE, BOB, expectCode, ROOT, useExport } from './fixture';

describe('PosixBackend access', () => {
  const fx = useExport();

  test('grants from the object on disk and returns its attributes', async () => {
    const f = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o640 }, ALICE);
    const owner = await fx.be.access(f.attrs.fileid, ALICE, ACCESS3_ALL);
    expect(owner.granted).toBe(ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND);
    expect(owner.attrs.fileid).toBe(f.attrs.fileid);
    expect((await fx.be.access(f.attrs.fileid, BOB, ACCESS3_ALL)).granted).toBe(0);
    expect((await fx.be.access(f.attrs.fileid, ROOT, ACCESS3_ALL)).granted).toBe(
      ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND,
    );
    await fx.be.setattr(f.attrs.fileid, { mode: 0o750 }, ALICE);
    expect((await fx.be.access(f.attrs.fileid, ROOT, ACCESS3_EXECUTE)).granted).toBe(ACCESS3_EXECUTE);
  });

  test('directories grant LOOKUP and DELETE, files never do', async () => {
    const d = await fx.be.mkdir(fx.be.rootIno, 'd', 0o755, ALICE);
    expect((await fx.be.access(d.attrs.fileid, ALICE, ACCESS3_ALL)).granted).toBe(
      ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE,
    );
    expect((await fx.be.access(d.attrs.fileid, BOB, ACCESS3_ALL)).granted).toBe(
      ACCESS3_READ | ACCESS3_LOOKUP,
    );
  });

  test('access of a deleted object is ESTALE', async () => {
    const f = await fx.be.create(fx.be.rootIno, 'f', { mode: 0o640 }, ALICE);
    await fx.be.remove(fx.be.rootIno, 'f');
    await expectCode(fx.be.access(f.attrs.fileid, ROOT, ACCESS3_ALL), 'ESTALE');
  });
});
