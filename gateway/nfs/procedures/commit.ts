import type { Wcc } from '../../backend/attrs';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.21 COMMIT: make earlier UNSTABLE writes stable.
 * args: the file, offset and count of the range (we flush the whole file, which §3.3.21
 *       allows).
 * ok:   the file's wcc_data and the write verifier. It is the one WRITE returns, fixed per
 *       server boot: a client that sees it differ from its writes' resends them.
 * fail: the file's wcc_data.
 */
export interface Commit3Args {
  readonly file: Buffer;
  readonly offset: bigint;
  readonly count: number;
}

export interface Commit3Ok {
  readonly wcc: Wcc;
  readonly verf: Buffer;
}

export const commit3: Nfs3ProcedureSpec<Commit3Args, Commit3Ok, Wcc> = {
  name: 'COMMIT',
  modifies: false,
  decode: (r) => {
    const file = decodeNfsFh3(r);
    const offset = r.u64();
    const count = r.u32();
    return { file, offset, count };
  },
  target: (a) => a.file,
  run: async (_a, call, ino) => {
    const after = await call.backend.fsync(ino);
    return { wcc: { after }, verf: call.env.writeVerifier };
  },
  encodeOk: (w, res) => {
    encodeWccData(w, res.wcc);
    w.fixedOpaque(res.verf);
  },
  fail: (a, call) => call.wccOf(a.file),
  encodeFail: encodeWccData,
};
