import type { Backend } from '../../../../gateway/backend/backend';
import { BackendError } from '../../../../gateway/backend/errors';
import { ExportTable, type FileHandles } from '../../../../gateway/nfs/exports';
import type { Nfs3Env } from '../../../../gateway/nfs/nfs3-procedure';
import { nfs3Procedure } from '../../../../gateway/nfs/nfs3-procedure';
import { Nfs3Stat } from '../../../../gateway/nfs/nfs3-status';
import { getattr3 } from '../../../../gateway/nfs/procedures/getattr';
import { rename3 } from '../../../../gateway/nfs/procedures/rename';
import type { CallContext } from '../../../../gateway/rpc/types';
import { captureLogger } from '../../../helpers/capture-logger';

const handles: FileHandles = {
  handleOf: (ino) => Buffer.from(String(ino)),
  resolveHandle: async (h) => BigInt(h.toString()),
};
const ctx: CallContext = {
  xid: 77,
  prog: 100003,
  vers: 3,
  proc: 1,
  auth: null,
  remoteAddress: '127.0.0.1',
  remotePort: 999,
};

function env(getattr: Backend['getattr'], level = 'debug') {
  const backend = { rootIno: 1n, getattr } as Backend;
  const other = { rootIno: 1n, getattr } as Backend;
  const exports = new ExportTable([
    { config: { name: '/a', path: '/a' }, backend, handles },
    { config: { name: '/b', path: '/b' }, backend: other, handles },
  ]);
  const log = captureLogger(level);
  const e: Nfs3Env = { exports, writeVerifier: Buffer.alloc(8), logger: log.logger };
  return { e, exports, entries: log.entries };
}

describe('the procedure frame', () => {
  test('an expected failure is logged at debug with procedure, status, cause, xid and client', async () => {
    const { e, exports, entries } = env(async () => {
      throw new BackendError('ENOENT', 'gone away');
    });
    const proc = nfs3Procedure(getattr3, e);
    const res = await proc.run({ object: exports.list[0]!.handleOf(5n) }, ctx);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_NOENT);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'debug',
        proc: 'GETATTR',
        stat: 'NFS3ERR_NOENT',
        xid: 77,
        client: '127.0.0.1',
        cause: 'ENOENT: gone away',
      }),
    ]);
  });

  test('a bug in a backend is NFS3ERR_SERVERFAULT, logged at warn with its stack', async () => {
    const { e, exports, entries } = env(async () => {
      throw new TypeError('undefined is not a function');
    }, 'info');
    const res = await nfs3Procedure(getattr3, e).run({ object: exports.list[0]!.handleOf(5n) }, ctx);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_SERVERFAULT);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 'warn', proc: 'GETATTR', stat: 'NFS3ERR_SERVERFAULT' });
    expect(String(entries[0]!.stack)).toMatch(/TypeError/);
  });

  test('expected failures are not even formatted when debug is off', async () => {
    const { e, exports, entries } = env(async () => {
      throw new BackendError('ENOENT', 'x');
    }, 'info');
    await nfs3Procedure(getattr3, e).run({ object: exports.list[0]!.handleOf(5n) }, ctx);
    expect(entries).toEqual([]);
  });

  test('handles of two exports in one call are NFS3ERR_XDEV (RFC 1813 §3.3.14)', async () => {
    const { e, exports } = env(async () => {
      throw new BackendError('ENOENT', 'x');
    });
    const from = { dir: exports.list[0]!.handleOf(1n), name: 'f' };
    const to = { dir: exports.list[1]!.handleOf(1n), name: 'g' };
    const res = await nfs3Procedure(rename3, e).run({ from, to }, ctx);
    expect(res.stat).toBe(Nfs3Stat.NFS3ERR_XDEV);
  });
});
