import type { SetAttrs, Wcc } from '../../backend/attrs';
import type { CreateHow } from '../../backend/backend';
import { XdrError } from '../../rpc/errors';
import type { XdrReader } from '../../rpc/types';
import { checkName } from '../names';
import { NFS3_VERFSIZE } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeNewObjectOk, type NewObjectOk } from '../xdr/diropres3';
import { decodeSattr3 } from '../xdr/sattr3';
import { encodeWccData } from '../xdr/wcc-data';
import { checkSize, newObjectOk } from './new-object';

/**
 * RFC 1813 §3.3.8 CREATE (regular files).
 * args: where (diropargs3) and how (createhow3):
 *       UNCHECKED — create, or open an existing file and apply the sattr3 (size 0 truncates);
 *       GUARDED   — NFS3ERR_EXIST if the name exists;
 *       EXCLUSIVE — a createverf3 instead of attributes: the backend keeps it, so a
 *                   retransmitted CREATE with the same verifier succeeds and another one gets
 *                   NFS3ERR_EXIST. The client then sets the attributes with SETATTR.
 * ok:   the new file's post_op_fh3 and post_op_attr, the directory's wcc_data.
 * fail: the directory's wcc_data.
 */
export enum Createmode3 {
  UNCHECKED = 0,
  GUARDED = 1,
  EXCLUSIVE = 2,
}

export type Createhow3 =
  | { readonly mode: Createmode3.UNCHECKED | Createmode3.GUARDED; readonly attrs: SetAttrs }
  | { readonly mode: Createmode3.EXCLUSIVE; readonly verf: bigint };

export interface Create3Args {
  readonly where: Diropargs3;
  readonly how: Createhow3;
}

const DEFAULT_FILE_MODE = 0o644;

function decodeCreatehow3(r: XdrReader): Createhow3 {
  const mode = r.u32();
  if (mode === Createmode3.UNCHECKED || mode === Createmode3.GUARDED) return { mode, attrs: decodeSattr3(r) };
  if (mode === Createmode3.EXCLUSIVE) return { mode, verf: r.fixedOpaque(NFS3_VERFSIZE).readBigUInt64BE(0) };
  throw new XdrError(`createmode3 ${mode}`);
}

function backendHow(how: Createhow3): { how: CreateHow; attrs: SetAttrs } {
  if (how.mode === Createmode3.EXCLUSIVE) {
    return { how: { mode: DEFAULT_FILE_MODE, exclusiveVerifier: how.verf }, attrs: {} };
  }
  const { attrs } = how;
  checkSize(attrs);
  return {
    how: {
      mode: attrs.mode ?? DEFAULT_FILE_MODE,
      guarded: how.mode === Createmode3.GUARDED,
      ...(attrs.size !== undefined ? { size: attrs.size } : {}),
    },
    attrs,
  };
}

export const create3: Nfs3ProcedureSpec<Create3Args, NewObjectOk, Wcc> = {
  name: 'CREATE',
  modifies: true,
  decode: (r) => {
    const where = decodeDiropargs3(r);
    const how = decodeCreatehow3(r);
    return { where, how };
  },
  target: (a) => a.where.dir,
  run: async (a, call, dir) => {
    checkName(a.where.name);
    const { how, attrs } = backendHow(a.how);
    const made = await call.backend.create(dir, a.where.name, how, call.cred);
    return newObjectOk(call, made, attrs);
  },
  encodeOk: encodeNewObjectOk,
  fail: (a, call) => call.wccOf(a.where.dir),
  encodeFail: encodeWccData,
};
