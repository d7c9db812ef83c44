import type { Backend } from '../../../../gateway/backend/backend';
import {
  addressAllowed,
  buildAllowList,
  ExportTable,
  type FileHandles,
  NfsExport,
  normalizeDirpath,
} from '../../../../gateway/nfs/exports';
import { type Nfs3Error, Nfs3Stat } from '../../../../gateway/nfs/nfs3-status';

const backend = { rootIno: 2n } as Backend;
const handles: FileHandles = {
  handleOf: (ino) => Buffer.from(`h${ino}`),
  resolveHandle: async (h) => BigInt(h.toString().slice(1)),
};
const root = { stamp: 0, machine: 'm', uid: 0, gid: 0, gids: [0, 10] };

describe('address lists (CIDR over node:net BlockList)', () => {
  test('IPv4 blocks admit inside, refuse outside', () => {
    const list = buildAllowList(['10.0.0.0/8', '192.168.1.7']);
    expect(addressAllowed(list, '10.200.3.4')).toBe(true);
    expect(addressAllowed(list, '192.168.1.7')).toBe(true);
    expect(addressAllowed(list, '192.168.1.8')).toBe(false);
    expect(addressAllowed(list, '11.0.0.1')).toBe(false);
  });

  test('an IPv4-mapped IPv6 address matches an IPv4 block', () => {
    const list = buildAllowList(['127.0.0.0/8']);
    expect(addressAllowed(list, '::ffff:127.0.0.1')).toBe(true);
    expect(addressAllowed(list, '::ffff:128.0.0.1')).toBe(false);
  });

  test('IPv6 blocks, with a zone on the address', () => {
    const list = buildAllowList(['fe80::/10']);
    expect(addressAllowed(list, 'fe80::1%eth0')).toBe(true);
    expect(addressAllowed(list, '2001:db8::1')).toBe(false);
  });

  test('a malformed block is refused when the export is built', () => {
    expect(() => buildAllowList(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => buildAllowList(['not-an-ip'])).toThrow(/bad address/);
    expect(() => buildAllowList(['10.0.0.0/'])).toThrow(/prefix/);
  });

  test('the default admits every address', () => {
    const exp = new NfsExport({ name: '/e', path: '/tmp' }, 0, backend, handles);
    expect(exp.allows('203.0.113.9')).toBe(true);
    expect(exp.allows('2001:db8::9')).toBe(true);
    expect(exp.allows('garbage')).toBe(false);
  });
});

describe('credentials', () => {
  test('root squash (default) maps uid 0, gid 0 and supplementary 0 to 65534', () => {
    const exp = new NfsExport({ name: '/e', path: '/tmp' }, 0, backend, handles);
    expect(exp.credOf(root)).toEqual({ uid: 65534, gid: 65534, gids: [65534, 10] });
    expect(exp.credOf({ ...root, uid: 1000, gid: 100, gids: [100] })).toEqual({
      uid: 1000,
      gid: 100,
      gids: [100],
    });
  });

  test('rootSquash false keeps root; anon ids are configurable', () => {
    const exp = new NfsExport({ name: '/e', path: '/tmp', rootSquash: false }, 0, backend, handles);
    expect(exp.credOf(root).uid).toBe(0);
    const anon = new NfsExport({ name: '/e', path: '/tmp', anonUid: 99, anonGid: 98 }, 0, backend, handles);
    expect(anon.credOf(root)).toMatchObject({ uid: 99, gid: 98 });
  });

  test('AUTH_NONE is the anonymous user with no groups', () => {
    const exp = new NfsExport({ name: '/e', path: '/tmp' }, 0, backend, handles);
    expect(exp.credOf(null)).toEqual({ uid: 65534, gid: 65534, gids: [] });
  });
});

describe('ExportTable: handles carry their export', () => {
  const table = new ExportTable([
    { config: { name: '/a', path: '/x' }, backend, handles },
    { config: { name: '/b/', path: '/y', handleId: 7 }, backend, handles },
  ]);

  test('a handle routes back to the export that issued it', () => {
    const fh = table.byName('/b')!.handleOf(42n);
    expect(fh[0]).toBe(7);
    const { exp, inner } = table.route(fh);
    expect(exp.config.name).toBe('/b');
    expect(inner.toString()).toBe('h42');
  });

  test('a handle naming no export is NFS3ERR_BADHANDLE', () => {
    const fail = (fh: Buffer) => {
      try {
        table.route(fh);
        return undefined;
      } catch (err) {
        return (err as Nfs3Error).stat;
      }
    };
    expect(fail(Buffer.from([3, 1, 2]))).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
    expect(fail(Buffer.alloc(0))).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
    expect(fail(Buffer.from([0]))).toBe(Nfs3Stat.NFS3ERR_BADHANDLE);
  });

  test('names are normalised and must be unique, ids too', () => {
    expect(normalizeDirpath('//export//sub/')).toBe('/export/sub');
    expect(table.byName('/a/')?.config.name).toBe('/a');
    expect(
      () =>
        new ExportTable([
          { config: { name: '/a', path: '/x' }, backend, handles },
          { config: { name: 'a', path: '/z' }, backend, handles },
        ]),
    ).toThrow(/twice/);
    expect(
      () => new ExportTable([{ config: { name: '/a', path: '/x', handleId: 256 }, backend, handles }]),
    ).toThrow(/0..255/);
  });

  test('a lone export passes the backend handle through, all 64 bytes of it', () => {
    const long: FileHandles = { ...handles, handleOf: () => Buffer.alloc(64, 9) };
    const one = new ExportTable([{ config: { name: '/a', path: '/x' }, backend, handles: long }]);
    const fh = one.list[0]!.handleOf(1n);
    expect(fh).toEqual(Buffer.alloc(64, 9));
    expect(one.route(fh).inner).toBe(fh);
    const prefixed = new ExportTable([{ config: { name: '/a', path: '/x' }, backend, handles }], {
      prefixHandles: true,
    });
    expect(prefixed.list[0]!.handleOf(5n)[0]).toBe(0);
  });

  test('a backend handle too long for nfs_fh3 (64 bytes with our prefix) is refused', () => {
    const long: FileHandles = { ...handles, handleOf: () => Buffer.alloc(64) };
    const exp = new NfsExport({ name: '/e', path: '/tmp' }, 0, backend, long);
    expect(() => exp.handleOf(1n)).toThrow(/too long/);
  });
});
