import type { Wcc } from '../../backend/attrs';
import type { Stability } from '../../backend/backend';
import { BackendError } from '../../backend/errors';
import { MAX_FILE_SIZE, WTMAX } from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { encodeWccData } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.7 WRITE.
 * args: the file, offset, count, how stable the client wants it (stable_how) and the data,
 *       at most WTMAX bytes (FSINFO wtmax; larger is undecodable: GARBAGE_ARGS).
 * ok:   the file's wcc_data, the count written, how stable it really is (never less than
 *       asked), and the write verifier — fixed per server boot, so a client that sees it change
 *       knows its UNSTABLE writes may be lost and resends them before COMMIT.
 * fail: the file's wcc_data.
 */
export enum StableHow {
  UNSTABLE = 0,
  DATA_SYNC = 1,
  FILE_SYNC = 2,
}

const TO_STABILITY: readonly Stability[] = ['unstable', 'data-sync', 'file-sync'];
const FROM_STABILITY: Readonly<Record<Stability, StableHow>> = {
  unstable: StableHow.UNSTABLE,
  'data-sync': StableHow.DATA_SYNC,
  'file-sync': StableHow.FILE_SYNC,
};

export interface Write3Args {
  readonly file: Buffer;
  readonly offset: bigint;
  readonly count: number;
  readonly stable: number;
  readonly data: Buffer;
}

export interface Write3Ok {
  readonly wcc: Wcc;
  readonly count: number;
  readonly committed: Stability;
  readonly verf: Buffer;
}

export const write3: Nfs3ProcedureSpec<Write3Args, Write3Ok, Wcc> = {
  name: 'WRITE',
  modifies: true,
  decode: (r) => {
    const file = decodeNfsFh3(r);
    const offset = r.u64();
    const count = r.u32();
    const stable = r.u32();
    const data = r.opaque(WTMAX);
    return { file, offset, count, stable, data };
  },
  target: (a) => a.file,
  run: async (a, call, ino) => {
    const stability = TO_STABILITY[a.stable];
    if (stability === undefined) throw new BackendError('EINVAL', `stable_how ${a.stable}`);
    // §3.3.7: count is the number of bytes in data; more than was sent cannot be written.
    if (a.count > a.data.length)
      throw new BackendError('EINVAL', `count ${a.count} > ${a.data.length} bytes`);
    const end = a.offset + BigInt(a.count);
    if (end > BigInt(MAX_FILE_SIZE)) throw new BackendError('EFBIG', `write ends at ${end}`);
    const data = a.count === a.data.length ? a.data : a.data.subarray(0, a.count);
    const res = await call.backend.write(ino, Number(a.offset), data, stability, call.cred);
    return { wcc: res.wcc, count: res.count, committed: res.committed, verf: call.env.writeVerifier };
  },
  encodeOk: (w, res) => {
    encodeWccData(w, res.wcc);
    w.u32(res.count).u32(FROM_STABILITY[res.committed]).fixedOpaque(res.verf);
  },
  fail: (a, call) => call.wccOf(a.file),
  encodeFail: encodeWccData,
};
