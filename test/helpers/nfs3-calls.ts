/**
 * NFSv3 calls for tests (MOUNT v3's are in mount3-calls.ts): encode arguments with the project's XdrWriter, send them
 * through any RPC caller (the test RPC client, or a procedure table in process), decode the
 * replies with XdrReader into plain objects — failure bodies included, so a test can check
 * the wcc data a failed call carries. e2e tests reuse it.
 */
import type { Attrs, SetAttrs, Time, Wcc } from '../../gateway/backend/attrs';
import { NFS_PROGRAM, NFS_V3 } from '../../gateway/nfs/nfs3-limits';
import { Nfs3Stat } from '../../gateway/nfs/nfs3-status';
import { decodeFattr3 } from '../../gateway/nfs/xdr/fattr3';
import { decodePostOpFh3 } from '../../gateway/nfs/xdr/nfs-fh3';
import { encodeSattr3 } from '../../gateway/nfs/xdr/sattr3';
import { readU64Number } from '../../gateway/nfs/xdr/uint64';
import { decodePostOpAttr, decodeWccData } from '../../gateway/nfs/xdr/wcc-data';
import type { AuthSys, XdrReader, XdrWriter } from '../../gateway/rpc/types';
import { createXdrReader } from '../../gateway/rpc/xdr-reader';
import { createXdrWriter } from '../../gateway/rpc/xdr-writer';

/** What the helper needs from an RPC client: one call, the accept status and the result body. */
export interface RpcCaller {
  call(
    prog: number,
    vers: number,
    proc: number,
    args: Buffer,
    auth?: AuthSys | null,
  ): Promise<{ acceptStat: number; body: Buffer }>;
}

export enum Nfs3Proc {
  NULL = 0,
  GETATTR = 1,
  SETATTR = 2,
  LOOKUP = 3,
  ACCESS = 4,
  READLINK = 5,
  READ = 6,
  WRITE = 7,
  CREATE = 8,
  MKDIR = 9,
  SYMLINK = 10,
  MKNOD = 11,
  REMOVE = 12,
  RMDIR = 13,
  RENAME = 14,
  LINK = 15,
  READDIR = 16,
  READDIRPLUS = 17,
  FSSTAT = 18,
  FSINFO = 19,
  PATHCONF = 20,
  COMMIT = 21,
}

/** Every result: the status, and either the ok fields or the failure body's fields. */
export type Res<T> = { stat: Nfs3Stat } & Partial<T>;

export interface NewObject {
  fh: Buffer | undefined;
  attrs: Attrs | undefined;
  dirWcc: Wcc;
}

export interface Entry {
  fileid: bigint;
  name: string;
  cookie: bigint;
  attrs?: Attrs;
  fh?: Buffer;
}

export interface DirList {
  dirAttrs: Attrs | undefined;
  cookieverf: Buffer;
  entries: Entry[];
  eof: boolean;
}

export const ZERO_VERF: Buffer = Buffer.alloc(8);

function w(): XdrWriter & { finish(): Buffer } {
  return createXdrWriter(256);
}

function readNewObject(r: XdrReader): NewObject {
  const fh = decodePostOpFh3(r);
  const attrs = decodePostOpAttr(r);
  return { fh, attrs, dirWcc: decodeWccData(r) };
}

function readEntries(r: XdrReader, plus: boolean): DirList {
  const dirAttrs = decodePostOpAttr(r);
  const cookieverf = Buffer.from(r.fixedOpaque(8));
  const entries: Entry[] = [];
  while (r.bool()) {
    const fileid = r.u64();
    const name = r.string(4096);
    const cookie = r.u64();
    if (plus) {
      const attrs = decodePostOpAttr(r);
      const fh = decodePostOpFh3(r);
      entries.push({ fileid, name, cookie, attrs, fh: fh && Buffer.from(fh) });
    } else {
      entries.push({ fileid, name, cookie });
    }
  }
  return { dirAttrs, cookieverf, entries, eof: r.bool() };
}

export class Nfs3Calls {
  /** The last reply's body size, to check byte budgets. */
  lastReplyBytes = 0;

  constructor(
    private readonly rpc: RpcCaller,
    public auth: AuthSys | null = { stamp: 1, machine: 'test', uid: 1000, gid: 1000, gids: [1000] },
  ) {}

  /** One raw call: the accept status must be SUCCESS; returns a reader over the result. */
  async raw(proc: Nfs3Proc, args: Buffer): Promise<XdrReader> {
    const { acceptStat, body } = await this.rpc.call(NFS_PROGRAM, NFS_V3, proc, args, this.auth);
    if (acceptStat !== 0) throw new Error(`NFS3 ${Nfs3Proc[proc]}: accept_stat ${acceptStat}`);
    this.lastReplyBytes = body.length;
    return createXdrReader(body);
  }

  private async res<T>(
    proc: Nfs3Proc,
    args: Buffer,
    ok: (r: XdrReader) => T,
    fail: (r: XdrReader) => Partial<T>,
  ) {
    const r = await this.raw(proc, args);
    const stat = r.u32() as Nfs3Stat;
    const body = stat === Nfs3Stat.NFS3_OK ? ok(r) : fail(r);
    if (r.remaining !== 0) throw new Error(`NFS3 ${Nfs3Proc[proc]}: ${r.remaining} bytes left over`);
    return { stat, ...body } as Res<T>;
  }

  async null(): Promise<void> {
    await this.raw(Nfs3Proc.NULL, Buffer.alloc(0));
  }

  getattr(fh: Buffer) {
    return this.res(
      Nfs3Proc.GETATTR,
      w().opaque(fh).finish(),
      (r) => ({ attrs: decodeFattr3(r) }),
      () => ({}),
    );
  }

  setattr(fh: Buffer, set: SetAttrs, guardCtime?: Time) {
    const a = w().opaque(fh);
    encodeSattr3(a, set);
    a.bool(guardCtime !== undefined);
    if (guardCtime) a.u32(guardCtime.sec).u32(guardCtime.nsec);
    const wcc = (r: XdrReader) => ({ wcc: decodeWccData(r) });
    return this.res(Nfs3Proc.SETATTR, a.finish(), wcc, wcc);
  }

  lookup(dir: Buffer, name: string) {
    return this.res(
      Nfs3Proc.LOOKUP,
      w().opaque(dir).string(name).finish(),
      (r) => ({ fh: Buffer.from(r.opaque(64)), attrs: decodePostOpAttr(r), dirAttrs: decodePostOpAttr(r) }),
      (r) => ({ dirAttrs: decodePostOpAttr(r) }),
    );
  }

  access(fh: Buffer, bits: number) {
    return this.res(
      Nfs3Proc.ACCESS,
      w().opaque(fh).u32(bits).finish(),
      (r) => ({ attrs: decodePostOpAttr(r), access: r.u32() }),
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  readlink(fh: Buffer) {
    return this.res(
      Nfs3Proc.READLINK,
      w().opaque(fh).finish(),
      (r) => ({ attrs: decodePostOpAttr(r), target: r.string(4096) }),
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  read(fh: Buffer, offset: number | bigint, count: number) {
    return this.res(
      Nfs3Proc.READ,
      w().opaque(fh).u64(BigInt(offset)).u32(count).finish(),
      (r) => {
        const attrs = decodePostOpAttr(r);
        const count = r.u32();
        const eof = r.bool();
        return { attrs, count, eof, data: Buffer.from(r.opaque(1 << 30)) };
      },
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  write(fh: Buffer, offset: number | bigint, data: Buffer, stable = 2, count = data.length) {
    return this.res(
      Nfs3Proc.WRITE,
      w().opaque(fh).u64(BigInt(offset)).u32(count).u32(stable).opaque(data).finish(),
      (r) => ({
        wcc: decodeWccData(r),
        count: r.u32(),
        committed: r.u32(),
        verf: Buffer.from(r.fixedOpaque(8)),
      }),
      (r) => ({ wcc: decodeWccData(r) }),
    );
  }

  /** how: 0 UNCHECKED, 1 GUARDED (with `set`), 2 EXCLUSIVE (with `verf`). */
  create(dir: Buffer, name: string, how: 0 | 1 | 2 = 1, set: SetAttrs = { mode: 0o644 }, verf = ZERO_VERF) {
    const a = w().opaque(dir).string(name).u32(how);
    if (how === 2) a.fixedOpaque(verf);
    else encodeSattr3(a, set);
    return this.res(Nfs3Proc.CREATE, a.finish(), readNewObject, (r) => ({ dirWcc: decodeWccData(r) }));
  }

  mkdir(dir: Buffer, name: string, set: SetAttrs = { mode: 0o755 }) {
    const a = w().opaque(dir).string(name);
    encodeSattr3(a, set);
    return this.res(Nfs3Proc.MKDIR, a.finish(), readNewObject, (r) => ({ dirWcc: decodeWccData(r) }));
  }

  symlink(dir: Buffer, name: string, target: string, set: SetAttrs = {}) {
    const a = w().opaque(dir).string(name);
    encodeSattr3(a, set);
    a.string(target);
    return this.res(Nfs3Proc.SYMLINK, a.finish(), readNewObject, (r) => ({ dirWcc: decodeWccData(r) }));
  }

  /** type: ftype3; device numbers only for NF3CHR (4) and NF3BLK (3). */
  mknod(
    dir: Buffer,
    name: string,
    type: number,
    set: SetAttrs = { mode: 0o644 },
    rdev = { major: 0, minor: 0 },
  ) {
    const a = w().opaque(dir).string(name).u32(type);
    if (type === 3 || type === 4) {
      encodeSattr3(a, set);
      a.u32(rdev.major).u32(rdev.minor);
    } else if (type === 6 || type === 7) {
      encodeSattr3(a, set);
    }
    return this.res(Nfs3Proc.MKNOD, a.finish(), readNewObject, (r) => ({ dirWcc: decodeWccData(r) }));
  }

  remove(dir: Buffer, name: string) {
    const wcc = (r: XdrReader) => ({ dirWcc: decodeWccData(r) });
    return this.res(Nfs3Proc.REMOVE, w().opaque(dir).string(name).finish(), wcc, wcc);
  }

  rmdir(dir: Buffer, name: string) {
    const wcc = (r: XdrReader) => ({ dirWcc: decodeWccData(r) });
    return this.res(Nfs3Proc.RMDIR, w().opaque(dir).string(name).finish(), wcc, wcc);
  }

  rename(fromDir: Buffer, fromName: string, toDir: Buffer, toName: string) {
    const both = (r: XdrReader) => ({ fromWcc: decodeWccData(r), toWcc: decodeWccData(r) });
    const args = w().opaque(fromDir).string(fromName).opaque(toDir).string(toName).finish();
    return this.res(Nfs3Proc.RENAME, args, both, both);
  }

  link(file: Buffer, dir: Buffer, name: string) {
    const body = (r: XdrReader) => ({ attrs: decodePostOpAttr(r), dirWcc: decodeWccData(r) });
    return this.res(Nfs3Proc.LINK, w().opaque(file).opaque(dir).string(name).finish(), body, body);
  }

  readdir(dir: Buffer, cookie = 0n, verf = ZERO_VERF, count = 65536) {
    return this.res(
      Nfs3Proc.READDIR,
      w().opaque(dir).u64(cookie).fixedOpaque(verf).u32(count).finish(),
      (r) => readEntries(r, false),
      (r) => ({ dirAttrs: decodePostOpAttr(r) }),
    );
  }

  readdirplus(dir: Buffer, cookie = 0n, verf = ZERO_VERF, dircount = 16384, maxcount = 65536) {
    return this.res(
      Nfs3Proc.READDIRPLUS,
      w().opaque(dir).u64(cookie).fixedOpaque(verf).u32(dircount).u32(maxcount).finish(),
      (r) => readEntries(r, true),
      (r) => ({ dirAttrs: decodePostOpAttr(r) }),
    );
  }

  /** Every entry of a directory, page by page with READDIRPLUS; returns the pages too. */
  async listAll(
    dir: Buffer,
    dircount = 16384,
    maxcount = 65536,
  ): Promise<{ entries: Entry[]; pages: number }> {
    const entries: Entry[] = [];
    let cookie = 0n;
    let verf: Buffer = ZERO_VERF;
    for (let pages = 1; ; pages++) {
      const res = await this.readdirplus(dir, cookie, verf, dircount, maxcount);
      if (res.stat !== Nfs3Stat.NFS3_OK) throw new Error(`READDIRPLUS: ${Nfs3Stat[res.stat]}`);
      entries.push(...res.entries!);
      if (res.eof) return { entries, pages };
      const last = res.entries!.at(-1);
      if (last === undefined) throw new Error('READDIRPLUS: empty page before eof');
      cookie = last.cookie;
      verf = res.cookieverf!;
    }
  }

  fsstat(fh: Buffer) {
    return this.res(
      Nfs3Proc.FSSTAT,
      w().opaque(fh).finish(),
      (r) => ({
        attrs: decodePostOpAttr(r),
        tbytes: readU64Number(r),
        fbytes: readU64Number(r),
        abytes: readU64Number(r),
        tfiles: readU64Number(r),
        ffiles: readU64Number(r),
        afiles: readU64Number(r),
        invarsec: r.u32(),
      }),
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  fsinfo(fh: Buffer) {
    return this.res(
      Nfs3Proc.FSINFO,
      w().opaque(fh).finish(),
      (r) => ({
        attrs: decodePostOpAttr(r),
        rtmax: r.u32(),
        rtpref: r.u32(),
        rtmult: r.u32(),
        wtmax: r.u32(),
        wtpref: r.u32(),
        wtmult: r.u32(),
        dtpref: r.u32(),
        maxfilesize: r.u64(),
        timeDelta: { sec: r.u32(), nsec: r.u32() },
        properties: r.u32(),
      }),
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  pathconf(fh: Buffer) {
    return this.res(
      Nfs3Proc.PATHCONF,
      w().opaque(fh).finish(),
      (r) => ({
        attrs: decodePostOpAttr(r),
        linkmax: r.u32(),
        nameMax: r.u32(),
        noTrunc: r.bool(),
        chownRestricted: r.bool(),
        caseInsensitive: r.bool(),
        casePreserving: r.bool(),
      }),
      (r) => ({ attrs: decodePostOpAttr(r) }),
    );
  }

  commit(fh: Buffer, offset = 0, count = 0) {
    return this.res(
      Nfs3Proc.COMMIT,
      w().opaque(fh).u64(BigInt(offset)).u32(count).finish(),
      (r) => ({ wcc: decodeWccData(r), verf: Buffer.from(r.fixedOpaque(8)) }),
      (r) => ({ wcc: decodeWccData(r) }),
    );
  }
}
