import { type Nfs3Harness, startNfs3 } from '../../../../helpers/nfs3-server';

describe('MOUNTPROC3_EXPORT (RFC 1813 §5.2.5)', () => {
  let h: Nfs3Harness;
  afterEach(() => h.close());

  test('lists the export with its allowed address blocks as groups', async () => {
    h = await startNfs3({ export: { allowed: ['127.0.0.0/8', '192.168.0.0/16'] } });
    expect(await h.mount.exports()).toEqual([{ dir: '/export', groups: ['127.0.0.0/8', '192.168.0.0/16'] }]);
  });

  test('by default everyone: 0.0.0.0/0 and ::/0', async () => {
    h = await startNfs3();
    expect(await h.mount.exports()).toEqual([{ dir: '/export', groups: ['0.0.0.0/0', '::/0'] }]);
  });
});
