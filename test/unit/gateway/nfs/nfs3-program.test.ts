import type { Backend } from '../../../../gateway/backend/backend';
import { ExportTable } from '../../../../gateway/nfs/exports';
import { NFS_PROGRAM, NFS_V3 } from '../../../../gateway/nfs/nfs3-limits';
import { createNfs3Program } from '../../../../gateway/nfs/nfs3-program';
import { type Nfs3Harness, startNfs3 } from '../../../helpers/nfs3-server';
import { ACCEPT_STAT, AUTH_NONE, RpcClient } from '../../../helpers/rpc-client';

const RFC_ORDER = [
  'NULL',
  'GETATTR',
  'SETATTR',
  'LOOKUP',
  'ACCESS',
  'READLINK',
  'READ',
  'WRITE',
  'CREATE',
  'MKDIR',
  'SYMLINK',
  'MKNOD',
  'REMOVE',
  'RMDIR',
  'RENAME',
  'LINK',
  'READDIR',
  'READDIRPLUS',
  'FSSTAT',
  'FSINFO',
  'PATHCONF',
  'COMMIT',
];

describe('the NFSv3 program (RFC 1813 §3.3)', () => {
  test('is program 100003 version 3 with 22 procedures in RFC order', () => {
    const backend = { rootIno: 1n } as Backend;
    const handles = { handleOf: () => Buffer.alloc(8), resolveHandle: async () => 1n };
    const p = createNfs3Program({
      exports: new ExportTable([{ config: { name: '/e', path: '/' }, backend, handles }]),
    });
    expect(p.prog).toBe(NFS_PROGRAM);
    const procs = p.versions.get(NFS_V3)!;
    expect(procs.map((x) => x.name)).toEqual(RFC_ORDER);
    expect(p.writeVerifier.length).toBe(8);
  });

  describe('over the wire', () => {
    let h: Nfs3Harness;
    beforeAll(async () => {
      h = await startNfs3();
    });
    afterAll(() => h.close());

    test('NULL answers an empty body, even with AUTH_NONE', async () => {
      h.nfs.auth = null;
      try {
        const r = await h.nfs.raw(0, Buffer.alloc(0));
        expect(r.remaining).toBe(0);
      } finally {
        h.nfs.auth = { stamp: 1, machine: 'test', uid: 1000, gid: 1000, gids: [1000] };
      }
    });

    test('procedure 22 is PROC_UNAVAIL; version 2 is PROG_MISMATCH', async () => {
      const { client, close } = await rawClient(h.port);
      try {
        expect((await client.call(NFS_PROGRAM, 3, 22, Buffer.alloc(0), AUTH_NONE)).acceptStat).toBe(
          ACCEPT_STAT.PROC_UNAVAIL,
        );
        expect((await client.call(NFS_PROGRAM, 2, 0, Buffer.alloc(0), AUTH_NONE)).acceptStat).toBe(
          ACCEPT_STAT.PROG_MISMATCH,
        );
      } finally {
        await close();
      }
    });
  });
});

async function rawClient(port: number) {
  const client = await RpcClient.connect(port);
  return { client, close: () => client.close() };
}
