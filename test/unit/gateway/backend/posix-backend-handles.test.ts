import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveHandleKey, HandleCoder } from '../../../../gateway/backend/handle-codec';
import { PosixBackend } from '../../../../gateway/backend/posix-backend';
import { expectCode, ROOT, touchMany, useExport } from './fixture';

describe('PosixBackend handles (handleOf / resolveHandle)', () => {
  const fx = useExport();

  /** Looks up a relative path one component at a time, as an NFS client does. */
  async function walk(be: PosixBackend, rel: string): Promise<bigint> {
    let ino = be.rootIno;
    for (const part of rel.split('/')) ino = (await be.lookup(ino, part)).fileid;
    return ino;
  }

  async function deepFile(depth: number): Promise<string> {
    const dirs = Array.from({ length: depth }, (_, i) => `d${i}`).join('/');
    await mkdir(join(fx.dir, dirs), { recursive: true });
    await writeFile(join(fx.dir, dirs, 'f'), 'deep');
    return `${dirs}/f`;
  }

  test('handles are at most 64 bytes and resolve back to their inode', async () => {
    const rel = await deepFile(40);
    const ino = await walk(fx.be, rel);
    const h = fx.be.handleOf(ino);
    expect(h.length).toBeLessThanOrEqual(64);
    expect(await fx.be.resolveHandle(h)).toBe(ino);
    expect(await fx.be.resolveHandle(fx.be.handleOf(fx.be.rootIno))).toBe(fx.be.rootIno);
  });

  test('the same object gets the same bytes from another instance (restart, second head)', async () => {
    const rel = await deepFile(3);
    const h1 = fx.be.handleOf(await walk(fx.be, rel));
    const other = await fx.open();
    expect(other.handleOf(await walk(other, rel))).toEqual(h1);
    expect(other.handleOf(other.rootIno)).toEqual(fx.be.handleOf(fx.be.rootIno));
  });

  test('a fresh instance resolves a deep handle by walking the hints, without scanning the export', async () => {
    const rel = await deepFile(6);
    // Wide decoys at every level: a blind scan would need thousands of lstat calls.
    touchMany(
      fx.dir,
      Array.from({ length: 2000 }, (_, i) => `decoy${i}`),
    );
    const ino = await walk(fx.be, rel);
    const h = fx.be.handleOf(ino);
    const fresh = await fx.open({ scanLimit: 100 });
    expect(await fresh.resolveHandle(h)).toBe(ino);
    expect(await fresh.read(ino, 0, 10)).toMatchObject({ data: Buffer.from('deep') });
    // and it now knows the path: the handle it mints is the same
    expect(fresh.handleOf(ino)).toEqual(h);
  });

  test('a path deeper than the hints carry is still resolved by a fresh instance', async () => {
    const rel = await deepFile(25);
    const ino = await walk(fx.be, rel);
    const fresh = await fx.open();
    expect(await fresh.resolveHandle(fx.be.handleOf(ino))).toBe(ino);
  });

  test('after renaming an ancestor in place, old handles resolve and new handles are the same', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    await writeFile(join(fx.dir, 'a/b/f'), 'x');
    const ino = await walk(fx.be, 'a/b/f');
    const h = fx.be.handleOf(ino);
    await fx.be.rename(fx.be.rootIno, 'a', fx.be.rootIno, 'renamed');
    expect(await fx.be.resolveHandle(h)).toBe(ino);
    expect(fx.be.handleOf(ino)).toEqual(h);
    const fresh = await fx.open();
    expect(await fresh.resolveHandle(h)).toBe(ino);
    expect(fresh.handleOf(await walk(fresh, 'renamed/b/f'))).toEqual(h);
  });

  test('after moving a directory elsewhere, a fresh instance still resolves a child’s old handle', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    await mkdir(join(fx.dir, 'x/y'), { recursive: true });
    await writeFile(join(fx.dir, 'a/b/f'), 'moved');
    const ino = await walk(fx.be, 'a/b/f');
    const h = fx.be.handleOf(ino);
    await rename(join(fx.dir, 'a/b'), join(fx.dir, 'x/y/b')); // behind the backend's back
    const fresh = await fx.open();
    expect(await fresh.resolveHandle(h)).toBe(ino);
    expect((await fresh.read(ino, 0, 10)).data.toString()).toBe('moved');
    // the first instance follows too
    expect(await fx.be.resolveHandle(h)).toBe(ino);
    expect((await fx.be.getattr(ino)).fileid).toBe(ino);
  });

  test('a deleted object’s handle is ESTALE, here and in a fresh instance', async () => {
    await mkdir(join(fx.dir, 'a'));
    await writeFile(join(fx.dir, 'a/f'), 'x');
    const ino = await walk(fx.be, 'a/f');
    const h = fx.be.handleOf(ino);
    await fx.be.remove((await fx.be.lookup(fx.be.rootIno, 'a')).fileid, 'f');
    await expectCode(fx.be.resolveHandle(h), 'ESTALE');
    const fresh = await fx.open();
    await expectCode(fresh.resolveHandle(h), 'ESTALE');
  });

  test('a directory removed behind our back makes its handle ESTALE', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    const ino = await walk(fx.be, 'a/b');
    const h = fx.be.handleOf(ino);
    await rm(join(fx.dir, 'a'), { recursive: true });
    await expectCode(fx.be.resolveHandle(h), 'ESTALE');
  });

  test('an inode number reused by a new file does not inherit the old handle (generation)', async () => {
    await writeFile(join(fx.dir, 'f'), 'x');
    const st = await lstat(join(fx.dir, 'f'), { bigint: true });
    const ino = await walk(fx.be, 'f');
    const good = fx.be.handleOf(ino);
    // Same export key, same inode, another birth time: what a handle of the previous owner looks like.
    const coder = new HandleCoder(deriveHandleKey(st.dev, fx.be.rootIno));
    const old = coder.encode({ fsid: st.dev, ino, gen: (Number(st.birthtimeNs % 2n ** 32n) + 1) >>> 0 }, []);
    await expectCode(fx.be.resolveHandle(old), 'ESTALE');
    await expectCode((await fx.open()).resolveHandle(old), 'ESTALE');
    expect(await fx.be.resolveHandle(good)).toBe(ino);
  });

  test('forged, truncated, garbage and empty handles are EBADHANDLE', async () => {
    await writeFile(join(fx.dir, 'f'), 'x');
    const h = fx.be.handleOf(await walk(fx.be, 'f'));
    const forged = Buffer.from(h);
    forged[12]! ^= 0x01; // another inode number
    await expectCode(fx.be.resolveHandle(forged), 'EBADHANDLE');
    await expectCode(fx.be.resolveHandle(h.subarray(0, h.length - 1)), 'EBADHANDLE');
    await expectCode(fx.be.resolveHandle(Buffer.alloc(32, 0xa1)), 'EBADHANDLE');
    await expectCode(fx.be.resolveHandle(Buffer.alloc(0)), 'EBADHANDLE');
    await expectCode(fx.be.resolveHandle(Buffer.alloc(65, 1)), 'EBADHANDLE');
  });

  test('a handle of another export (or another secret) is EBADHANDLE', async () => {
    await mkdir(join(fx.outside, 'sub'));
    const other = await PosixBackend.open(fx.outside);
    try {
      await expectCode(fx.be.resolveHandle(other.handleOf(other.rootIno)), 'EBADHANDLE');
    } finally {
      await other.close();
    }
    const secret = await fx.open({ handleSecret: Buffer.from('head secret') });
    await expectCode(secret.resolveHandle(fx.be.handleOf(fx.be.rootIno)), 'EBADHANDLE');
    const secret2 = await fx.open({ handleSecret: Buffer.from('head secret') });
    expect(await secret2.resolveHandle(secret.handleOf(secret.rootIno))).toBe(fx.be.rootIno);
  });

  test('maxHandleBytes 63 leaves room for an export prefix byte', async () => {
    const be = await fx.open({ maxHandleBytes: 63 });
    const rel = await deepFile(30);
    const ino = await walk(be, rel);
    expect(be.handleOf(ino).length).toBeLessThanOrEqual(63);
    expect(await (await fx.open({ maxHandleBytes: 63 })).resolveHandle(be.handleOf(ino))).toBe(ino);
  });

  test('handleOf of an inode never seen is ESTALE; the client’s handle is kept byte for byte', async () => {
    expect(() => fx.be.handleOf(123456789n)).toThrow(expect.objectContaining({ code: 'ESTALE' }));
    await writeFile(join(fx.dir, 'f'), 'x');
    const ino = await walk(fx.be, 'f');
    const h = fx.be.handleOf(ino);
    const fresh = await fx.open();
    // The client's buffer may be a view into a reused receive buffer: we must copy it.
    const wire = Buffer.concat([Buffer.from([9]), h]);
    const view = wire.subarray(1);
    expect(await fresh.resolveHandle(view)).toBe(ino);
    view.fill(0);
    expect(fresh.handleOf(ino)).toEqual(h);
  });

  test('resolution records the path: a resolved handle supports by-name calls in its directory', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    const dirIno = await walk(fx.be, 'a/b');
    const fresh = await fx.open({ scanLimit: 10 });
    const got = await fresh.resolveHandle(fx.be.handleOf(dirIno));
    const made = await fresh.create(got, 'new', { mode: 0o644 }, ROOT);
    expect((await lstat(join(fx.dir, 'a/b/new'), { bigint: true })).ino).toBe(made.attrs.fileid);
  });

  test('every entry READDIRPLUS returns, dots included, has a handle at once', async () => {
    await mkdir(join(fx.dir, 'a/b'), { recursive: true });
    await writeFile(join(fx.dir, 'a/b/f'), '');
    const fresh = await fx.open();
    const b = await fresh.resolveHandle(fx.be.handleOf(await walk(fx.be, 'a/b')));
    const page = await fresh.readdir(b, 0n, 10, true);
    for (const e of page.entries) expect(await fresh.resolveHandle(fresh.handleOf(e.fileid))).toBe(e.fileid);
    expect(page.entries.map((e) => e.name)).toEqual(['.', '..', 'f']);
  });
});
