import { FileType, type SetAttrs, type Wcc } from '../../backend/attrs';
import type { SpecialType } from '../../backend/backend';
import { BackendError } from '../../backend/errors';
import type { XdrReader } from '../../rpc/types';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { Nfs3Error, Nfs3Stat } from '../nfs3-status';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeNewObjectOk, type NewObjectOk } from '../xdr/diropres3';
import { decodeSattr3 } from '../xdr/sattr3';
import { decodeSpecdata3, type Specdata3 } from '../xdr/specdata3';
import { encodeWccData } from '../xdr/wcc-data';
import { newObjectOk } from './new-object';

/**
 * RFC 1813 §3.3.11 MKNOD (special files).
 * args: where (diropargs3), then mknoddata3, a union on ftype3:
 *       NF3CHR, NF3BLK — sattr3 and the device numbers (specdata3);
 *       NF3SOCK, NF3FIFO — sattr3;
 *       anything else — nothing; NF3REG, NF3DIR, NF3LNK (and unknown types) are
 *       NFS3ERR_BADTYPE: those have their own procedures.
 * ok:   the new object's post_op_fh3 and post_op_attr, the parent's wcc_data.
 * fail: the parent's wcc_data. A device node from anyone but (unsquashed) root is NFS3ERR_PERM.
 */
export interface Mknod3Args {
  readonly where: Diropargs3;
  readonly type: number;
  readonly attrs: SetAttrs;
  readonly rdev: Specdata3;
}

const SPECIAL: Partial<Record<number, SpecialType>> = {
  [FileType.CHR]: 'chr',
  [FileType.BLK]: 'blk',
  [FileType.SOCK]: 'sock',
  [FileType.FIFO]: 'fifo',
};

const NO_DEVICE: Specdata3 = { major: 0, minor: 0 };

function decodeMknod3(r: XdrReader): Mknod3Args {
  const where = decodeDiropargs3(r);
  const type = r.u32();
  if (type === FileType.CHR || type === FileType.BLK) {
    const attrs = decodeSattr3(r);
    const rdev = decodeSpecdata3(r);
    return { where, type, attrs, rdev };
  }
  if (type === FileType.SOCK || type === FileType.FIFO)
    return { where, type, attrs: decodeSattr3(r), rdev: NO_DEVICE };
  return { where, type, attrs: {}, rdev: NO_DEVICE };
}

export const mknod3: Nfs3ProcedureSpec<Mknod3Args, NewObjectOk, Wcc> = {
  name: 'MKNOD',
  modifies: true,
  decode: decodeMknod3,
  target: (a) => a.where.dir,
  run: async (a, call, dir) => {
    const special = SPECIAL[a.type];
    if (special === undefined) throw new Nfs3Error(Nfs3Stat.NFS3ERR_BADTYPE, `mknod of ftype3 ${a.type}`);
    checkName(a.where.name);
    // A device node grants raw access to hardware: like Linux (CAP_MKNOD), only root — after
    // squashing — may make one. The gateway runs as root, so nothing below would refuse it.
    if ((special === 'chr' || special === 'blk') && call.cred.uid !== 0) {
      throw new BackendError('EPERM', 'only root may make device nodes');
    }
    const { name } = a.where;
    const made = await call.backend.mknod(dir, name, special, a.attrs.mode ?? 0o644, a.rdev, call.cred);
    return newObjectOk(call, made, a.attrs);
  },
  encodeOk: encodeNewObjectOk,
  fail: (a, call) => call.wccOf(a.where.dir),
  encodeFail: encodeWccData,
};
