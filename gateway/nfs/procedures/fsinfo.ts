import type { Attrs } from '../../backend/attrs';
import {
  DTPREF,
  FSF3_CANSETTIME,
  FSF3_HOMOGENEOUS,
  FSF3_LINK,
  FSF3_SYMLINK,
  MAX_FILE_SIZE,
  RTMAX,
  RTMULT,
  RTPREF,
  TIME_DELTA_NSEC,
  WTMAX,
  WTMULT,
  WTPREF,
} from '../nfs3-limits';
import type { Nfs3ProcedureSpec } from '../nfs3-procedure';
import { decodeNfsFh3 } from '../xdr/nfs-fh3';
import { writeU64Number } from '../xdr/uint64';
import { encodePostOpAttr } from '../xdr/wcc-data';

/**
 * RFC 1813 §3.3.19 FSINFO: static figures a client sizes its transfers by.
 * args: the file system's root handle (any handle of the export works).
 * ok:   post_op_attr; rtmax, rtpref, rtmult; wtmax, wtpref, wtmult; dtpref; maxfilesize;
 *       time_delta (1 µs: what Node can set); properties. The numbers and why they were
 *       chosen are in nfs3-limits.ts.
 * fail: post_op_attr.
 */
export interface Fsinfo3Args {
  readonly fsroot: Buffer;
}

export const FSINFO_PROPERTIES = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;

export const fsinfo3: Nfs3ProcedureSpec<Fsinfo3Args, Attrs, Attrs | undefined> = {
  name: 'FSINFO',
  modifies: false,
  decode: (r) => ({ fsroot: decodeNfsFh3(r) }),
  target: (a) => a.fsroot,
  run: (_a, call, ino) => call.backend.getattr(ino),
  encodeOk: (w, attrs) => {
    encodePostOpAttr(w, attrs);
    w.u32(RTMAX).u32(RTPREF).u32(RTMULT);
    w.u32(WTMAX).u32(WTPREF).u32(WTMULT);
    w.u32(DTPREF);
    writeU64Number(w, MAX_FILE_SIZE);
    w.u32(0).u32(TIME_DELTA_NSEC); // time_delta
    w.u32(FSINFO_PROPERTIES);
  },
  fail: (a, call) => call.attrsOf(a.fsroot),
  encodeFail: encodePostOpAttr,
};
