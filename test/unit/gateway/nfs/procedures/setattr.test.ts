import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { createXdrWriter } from '../../../../../gateway/rpc/xdr-writer';
import { Nfs3Proc } from '../../../../helpers/nfs3-calls';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('SETATTR (RFC 1813 §3.3.2)', () => {
  let h: Nfs3Harness;
  let n = 0;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  async function file(): Promise<Buffer> {
    const made = await h.nfs.create(h.root, `f${n++}`, 1, { mode: 0o644 });
    expect(made.stat).toBe(Nfs3Stat.NFS3_OK);
    await h.nfs.write(made.fh!, 0, Buffer.from('hello'));
    return made.fh!;
  }

  test('changes the mode and answers wcc_data with before and after', async () => {
    const fh = await file();
    const res = await h.nfs.setattr(fh, { mode: 0o600 });
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.wcc?.before?.size).toBe(5);
    expect(res.wcc?.after?.mode).toBe(0o600);
  });

  test('size 0 truncates: wcc before 5, after 0', async () => {
    const fh = await file();
    const res = await h.nfs.setattr(fh, { size: 0 });
    expect(res.wcc?.before?.size).toBe(5);
    expect(res.wcc?.after?.size).toBe(0);
  });

  test('sets client times, kept to FSINFO time_delta (1 µs)', async () => {
    const fh = await file();
    const res = await h.nfs.setattr(fh, { mtime: { sec: 1_000_000, nsec: 500_000_000 }, atime: 'server' });
    expect(res.stat).toBe(Nfs3Stat.NFS3_OK);
    expect(res.wcc?.after?.mtime).toEqual({ sec: 1_000_000, nsec: 500_000_000 });
    expect(Math.abs(res.wcc!.after!.atime.sec - Date.now() / 1000)).toBeLessThan(60);
  });

  test('a guard ctime that is not the object’s is NFS3ERR_NOT_SYNC, with wcc data, nothing changed', async () => {
    const fh = await file();
    const { attrs } = await h.nfs.getattr(fh);
    const wrong = { sec: attrs!.ctime.sec - 10, nsec: attrs!.ctime.nsec };
    const res = await h.nfs.setattr(fh, { mode: 0o600 }, wrong);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOT_SYNC);
    // RFC 1813 §3.3.2: SETATTR3resfail carries obj_wcc.
    expect(res.wcc?.after?.mode).toBe(0o644);
    const ok = await h.nfs.setattr(fh, { mode: 0o600 }, attrs!.ctime);
    expect(ok.stat).toBe(Nfs3Stat.NFS3_OK);
  });

  test('a size past 2^53 is NFS3ERR_FBIG', async () => {
    const fh = await file();
    const w = createXdrWriter().opaque(fh);
    w.bool(false)
      .bool(false)
      .bool(false)
      .bool(true)
      .u64(2n ** 60n)
      .u32(0)
      .u32(0)
      .bool(false);
    const r = await h.nfs.raw(Nfs3Proc.SETATTR, w.finish());
    expect(r.u32()).toBe(Nfs3Stat.NFS3ERR_FBIG);
  });

  test('a stale handle is NFS3ERR_STALE with empty wcc data', async () => {
    const made = await h.nfs.create(h.root, 'gone', 1);
    await h.nfs.remove(h.root, 'gone');
    const res = await h.nfs.setattr(made.fh!, { mode: 0o600 });
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_STALE);
    expect(res.wcc).toEqual({ before: undefined, after: undefined });
  });
});
