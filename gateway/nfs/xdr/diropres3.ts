import type { Attrs, Wcc } from '../../backend/attrs';
import type { XdrWriter } from '../../rpc/types';
import { encodePostOpFh3 } from './nfs-fh3';
import { encodePostOpAttr, encodeWccData } from './wcc-data';

/**
 * The success body CREATE, MKDIR, SYMLINK and MKNOD share (RFC 1813 §3.3.8–§3.3.11 *3resok):
 * the new object's post_op_fh3 and post_op_attr, then the parent's wcc_data.
 */
export interface NewObjectOk {
  readonly handle: Buffer | undefined;
  readonly attrs: Attrs | undefined;
  readonly dirWcc: Wcc;
}

export function encodeNewObjectOk(w: XdrWriter, res: NewObjectOk): void {
  encodePostOpFh3(w, res.handle);
  encodePostOpAttr(w, res.attrs);
  encodeWccData(w, res.dirWcc);
}
