import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genOf } from '../../gateway/backend/attrs-of';
import { deriveHandleKey, HandleCoder } from '../../gateway/backend/handle-codec';
import { MOUNT_PROGRAM, MOUNT_V3 } from '../../gateway/mount/mount3-status';
import { NFS_PROGRAM, NFS_V3 } from '../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { startTestHead, type TestHead } from '../helpers/e2e-head';
import { type LibnfsTool, libnfsTool, libnfsToolBuildable } from '../helpers/libnfs-tool';
import { libnfsUtilsPresent } from '../helpers/libnfs-utils';
import { Nfs3Proc } from '../helpers/nfs3-calls';
import { describePeer } from '../helpers/peers';
import { authSysOf, connectRaw, type RawNfsClient } from '../helpers/raw-nfs-client';
import { ACCEPT_STAT, authSys } from '../helpers/rpc-client';
import { expectStillServed } from '../helpers/still-served';

/**
 * Well-framed calls with bad arguments: undecodable bodies (GARBAGE_ARGS, RFC 5531 §9), handles
 * we never issued (NFS3ERR_BADHANDLE), handles of objects that are gone or were never in the
 * export (NFS3ERR_STALE, RFC 1813 §2.6). After all of them a libnfs client is served as before.
 */
const peers = libnfsUtilsPresent && libnfsToolBuildable;
const stat = (s: Nfs3Stat | undefined) => (s === undefined ? 'none' : Nfs3Stat[s]);

describePeer('bad arguments over real sockets', 'libnfs-utils + gcc + libnfs-dev', peers, () => {
  let t: TestHead;
  let c: RawNfsClient;
  let nfs: LibnfsTool;
  let root: Buffer;
  const rawCall = (proc: number, args: Buffer, prog = NFS_PROGRAM, vers = NFS_V3) =>
    c.rpc.call(prog, vers, proc, args, authSys({ uid: 1000, gid: 1000 }));
  const opaque = (b: Buffer) => {
    const out = Buffer.alloc(4 + Math.ceil(b.length / 4) * 4);
    out.writeUInt32BE(b.length, 0);
    b.copy(out, 4);
    return out;
  };

  beforeAll(async () => {
    t = await startTestHead({ upcall: { 'features.cache-invalidation': true } });
    await writeFile(join(t.dir, 'probe.txt'), 'probe\n');
    nfs = libnfsTool(t.url).as({ uid: 1000, gid: 1000 });
    c = await connectRaw(t.head.nfs.port, authSysOf(1000, 1000));
    root = await c.mountRoot();
  });
  afterAll(async () => {
    await expectStillServed(t.url, t.dir, 'probe.txt');
    await c?.close();
    await t?.close();
  });

  test('undecodable arguments are GARBAGE_ARGS, and the connection serves on', async () => {
    expect((await rawCall(Nfs3Proc.GETATTR, Buffer.from([0, 0, 0]))).acceptStat).toBe(
      ACCEPT_STAT.GARBAGE_ARGS,
    );
    const hugeName = Buffer.concat([opaque(root), Buffer.from([0, 0x10, 0, 0])]); // name of 1 MiB, absent
    expect((await rawCall(Nfs3Proc.LOOKUP, hugeName)).acceptStat).toBe(ACCEPT_STAT.GARBAGE_ARGS);
    const longFh = opaque(Buffer.alloc(65, 1)); // nfs_fh3 is opaque<64>
    expect((await rawCall(Nfs3Proc.GETATTR, longFh)).acceptStat).toBe(ACCEPT_STAT.GARBAGE_ARGS);
    expect((await rawCall(1, Buffer.from([0, 0, 1]), MOUNT_PROGRAM, MOUNT_V3)).acceptStat).toBe(
      ACCEPT_STAT.GARBAGE_ARGS,
    );
    expect(stat((await c.nfs.getattr(root)).stat)).toBe('NFS3_OK');
  });

  test('handles we never issued are NFS3ERR_BADHANDLE: random, empty, truncated, one bit flipped', async () => {
    const flipped = Buffer.from(root);
    flipped[10] = flipped[10]! ^ 0x01;
    const forged = [
      randomBytes(64),
      Buffer.alloc(0),
      root.subarray(0, 20),
      root.subarray(0, root.length - 1),
      flipped,
    ];
    for (const fh of forged) {
      expect([fh.toString('hex'), stat((await c.nfs.getattr(fh)).stat)]).toEqual([
        fh.toString('hex'),
        'NFS3ERR_BADHANDLE',
      ]);
    }
    const lookup = await c.nfs.lookup(flipped, 'probe.txt');
    expect(stat(lookup.stat)).toBe('NFS3ERR_BADHANDLE');
    expect(lookup.dirAttrs).toBeUndefined();
  });

  test("a deleted file's handle is NFS3ERR_STALE for every procedure", async () => {
    await nfs.creat('/doomed', 0o644);
    const fh = await c.walk(root, '/doomed');
    expect(stat((await c.nfs.getattr(fh)).stat)).toBe('NFS3_OK');
    await nfs.unlink('/doomed');
    expect(stat((await c.nfs.getattr(fh)).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.read(fh, 0, 10)).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.write(fh, 0, Buffer.from('x'))).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.setattr(fh, { mode: 0o600 })).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.access(fh, 0x3f)).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.commit(fh)).stat)).toBe('NFS3ERR_STALE');
  });

  test("a removed directory's handle is NFS3ERR_STALE for LOOKUP, READDIRPLUS and CREATE", async () => {
    await nfs.mkdir('/gone-dir', 0o755);
    const dir = await c.walk(root, '/gone-dir');
    await nfs.rmdir('/gone-dir');
    expect(stat((await c.nfs.lookup(dir, 'x')).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.readdirplus(dir)).stat)).toBe('NFS3ERR_STALE');
    expect(stat((await c.nfs.create(dir, 'x')).stat)).toBe('NFS3ERR_STALE');
  });

  test('a correctly MACed handle naming a file outside the export is STALE and reads nothing', async () => {
    // The default handle key is derived from fsid and root inode (handle-codec.ts), so any client
    // can mint one; the server must still never resolve an inode outside the export.
    const outside = await mkdtemp(join(tmpdir(), 'upcall-e2e-outside-'));
    try {
      await writeFile(join(outside, 'secret'), 'outside the export');
      const st = await lstat(join(outside, 'secret'), { bigint: true });
      const fsid = root.readBigUInt64BE(1);
      const coder = new HandleCoder(deriveHandleKey(fsid, root.readBigUInt64BE(9)));
      for (const ancestry of [undefined, []]) {
        const fh = coder.encode({ fsid, ino: st.ino, gen: genOf(st) }, ancestry);
        const read = await c.nfs.read(fh, 0, 100);
        expect(stat(read.stat)).toBe('NFS3ERR_STALE');
        expect(read.data).toBeUndefined();
      }
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
