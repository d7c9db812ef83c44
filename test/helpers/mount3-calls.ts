/** MOUNT v3 calls for tests (RFC 1813 §5), over the same RpcCaller as Nfs3Calls. */
import { MOUNT_PROGRAM, MOUNT_V3, MountStat3 } from '../../gateway/mount/mount3-status';
import type { AuthSys, XdrReader } from '../../gateway/rpc/types';
import { createXdrReader } from '../../gateway/rpc/xdr-reader';
import { createXdrWriter } from '../../gateway/rpc/xdr-writer';
import type { RpcCaller } from './nfs3-calls';

function w() {
  return createXdrWriter(256);
}

export enum Mount3Proc {
  NULL = 0,
  MNT = 1,
  DUMP = 2,
  UMNT = 3,
  UMNTALL = 4,
  EXPORT = 5,
}

export class Mount3Calls {
  constructor(
    private readonly rpc: RpcCaller,
    public auth: AuthSys | null = { stamp: 1, machine: 'test', uid: 1000, gid: 1000, gids: [1000] },
  ) {}

  private async raw(proc: Mount3Proc, args: Buffer): Promise<XdrReader> {
    const { acceptStat, body } = await this.rpc.call(MOUNT_PROGRAM, MOUNT_V3, proc, args, this.auth);
    if (acceptStat !== 0) throw new Error(`MOUNT3 ${Mount3Proc[proc]}: accept_stat ${acceptStat}`);
    return createXdrReader(body);
  }

  async null(): Promise<void> {
    await this.raw(Mount3Proc.NULL, Buffer.alloc(0));
  }

  async mnt(dirpath: string): Promise<{ stat: MountStat3; fh?: Buffer; flavors?: number[] }> {
    const r = await this.raw(Mount3Proc.MNT, w().string(dirpath).finish());
    const stat = r.u32() as MountStat3;
    if (stat !== MountStat3.MNT3_OK) return { stat };
    const fh = Buffer.from(r.opaque(64));
    const n = r.u32();
    const flavors = Array.from({ length: n }, () => r.u32());
    return { stat, fh, flavors };
  }

  async dump(): Promise<{ host: string; dirpath: string }[]> {
    const r = await this.raw(Mount3Proc.DUMP, Buffer.alloc(0));
    const out: { host: string; dirpath: string }[] = [];
    while (r.bool()) out.push({ host: r.string(255), dirpath: r.string(1024) });
    return out;
  }

  async umnt(dirpath: string): Promise<void> {
    await this.raw(Mount3Proc.UMNT, w().string(dirpath).finish());
  }

  async umntall(): Promise<void> {
    await this.raw(Mount3Proc.UMNTALL, Buffer.alloc(0));
  }

  async exports(): Promise<{ dir: string; groups: string[] }[]> {
    const r = await this.raw(Mount3Proc.EXPORT, Buffer.alloc(0));
    const out: { dir: string; groups: string[] }[] = [];
    while (r.bool()) {
      const dir = r.string(1024);
      const groups: string[] = [];
      while (r.bool()) groups.push(r.string(255));
      out.push({ dir, groups });
    }
    return out;
  }
}
