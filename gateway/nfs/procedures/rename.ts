import type { Wcc } from '../../backend/attrs';
import type { XdrWriter } from '../../rpc/types';
import { checkName } from '../names';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { type Diropargs3, decodeDiropargs3 } from '../xdr/diropargs3';
import { encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.14 RENAME, within one directory or across two of the same export (two exports
 * are NFS3ERR_XDEV).
 * args: from (diropargs3), to (diropargs3). An existing `to` is replaced when the types allow.
 * ok:   wcc_data of the source directory, then of the target directory.
 * fail: the same two wcc_data.
 */
export interface Rename3Args {
  readonly from: Diropargs3;
  readonly to: Diropargs3;
}

export interface Rename3Wcc {
  readonly fromDir: Wcc;
  readonly toDir: Wcc;
}

function encodeRename3Wcc(w: XdrWriter, res: Rename3Wcc): void {
  encodeWccData(w, res.fromDir);
  encodeWccData(w, res.toDir);
}

export const rename3: Nfs3ProcedureSpec<Rename3Args, Rename3Wcc, Rename3Wcc> = {
  name: 'RENAME',
  modifies: true,
  decode: (r) => {
    const from = decodeDiropargs3(r);
    const to = decodeDiropargs3(r);
    return { from, to };
  },
  target: (a) => a.from.dir,
  run: async (a, call, fromDir) => {
    const toDir = await call.resolve(a.to.dir);
    checkName(a.from.name);
    checkName(a.to.name);
    const res = await call.backend.rename(fromDir, a.from.name, toDir, a.to.name, call.cred);
    return { fromDir: res.fromDir, toDir: res.toDir };
  },
  encodeOk: encodeRename3Wcc,
  fail: async (a, call) => {
    const [fromDir, toDir] = await Promise.all([call.wccOf(a.from.dir), call.wccOf(a.to.dir)]);
    return { fromDir, toDir };
  },
  encodeFail: encodeRename3Wcc,
};
