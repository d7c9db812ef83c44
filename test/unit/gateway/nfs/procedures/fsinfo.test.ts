import { Nfs3Stat } from '../../../../../gateway/nfs/nfs3-status';
import { FSINFO_PROPERTIES } from '../../../../../gateway/nfs/procedures/fsinfo';
import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('FSINFO (RFC 1813 §3.3.19)', () => {
  let h: Nfs3Harness;
  beforeAll(async () => {
    h = await startNfs3();
  });
  afterAll(() => h.close());

  test('advertises 1 MiB transfers, 64 KiB readdir, 1 µs time_delta and LINK|SYMLINK|HOMOGENEOUS|CANSETTIME', async () => {
    const res = await h.nfs.fsinfo(h.root);
    expect(res).toMatchObject({
      stat: Nfs3Stat.NFS3_OK,
      rtmax: 1 << 20,
      rtpref: 1 << 20,
      rtmult: 4096,
      wtmax: 1 << 20,
      wtpref: 1 << 20,
      wtmult: 4096,
      dtpref: 65536,
      maxfilesize: BigInt(Number.MAX_SAFE_INTEGER),
      timeDelta: { sec: 0, nsec: 1000 },
      properties: 0x1 | 0x2 | 0x8 | 0x10,
    });
    expect(FSINFO_PROPERTIES).toBe(0x1b);
    expect(res.attrs?.fileid).toBe(h.backend.rootIno);
  });

  test('a forged handle is NFS3ERR_BADHANDLE', async () => {
    expect((await h.nfs.fsinfo(Buffer.alloc(32, 1))).stat).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
  });
});
