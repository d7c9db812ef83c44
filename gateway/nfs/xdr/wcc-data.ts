import type { Attrs, Wcc, WccAttr } from '../../backend/attrs';
import type { XdrReader, XdrWriter } from '../../rpc/types';
import { decodeFattr3, encodeFattr3 } from './fattr3';
import { decodeNfstime3, encodeNfstime3 } from './nfstime3';
import { readU64Number, writeU64Number } from './uint64';

/** RFC 1813 §2.6 post_op_attr: attributes when we have them, "none" otherwise. */
export function encodePostOpAttr(w: XdrWriter, a: Attrs | undefined): void {
  if (a === undefined) {
    w.bool(false);
    return;
  }
  w.bool(true);
  encodeFattr3(w, a);
}

export function decodePostOpAttr(r: XdrReader): Attrs | undefined {
  return r.optional(decodeFattr3);
}

/** RFC 1813 §2.6 wcc_attr: size, mtime, ctime before the operation. */
export function encodeWccAttr(w: XdrWriter, a: WccAttr): void {
  writeU64Number(w, a.size);
  encodeNfstime3(w, a.mtime);
  encodeNfstime3(w, a.ctime);
}

export function decodeWccAttr(r: XdrReader): WccAttr {
  const size = readU64Number(r);
  const mtime = decodeNfstime3(r);
  const ctime = decodeNfstime3(r);
  return { size, mtime, ctime };
}

/** RFC 1813 §2.6 pre_op_attr. */
export function encodePreOpAttr(w: XdrWriter, a: WccAttr | undefined): void {
  if (a === undefined) {
    w.bool(false);
    return;
  }
  w.bool(true);
  encodeWccAttr(w, a);
}

/** RFC 1813 §2.6 wcc_data: pre_op_attr then post_op_attr. An empty Wcc encodes as two "none". */
export function encodeWccData(w: XdrWriter, wcc: Wcc | undefined): void {
  encodePreOpAttr(w, wcc?.before);
  encodePostOpAttr(w, wcc?.after);
}

export function decodeWccData(r: XdrReader): Wcc {
  const before = r.optional(decodeWccAttr);
  const after = r.optional(decodeFattr3);
  return { before, after };
}

export const NO_WCC: Wcc = {};
