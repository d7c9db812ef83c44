/**
 * RFC 1833 §3.2, PMAPPROC_UNSET (2): mapping → bool. The server's own programs cannot be
 * unregistered from outside, so the answer is always FALSE.
 */
import type { Procedure } from '../../rpc/types';
import { type Mapping, readMapping } from '../mapping';

export const pmapUnset: Procedure<Mapping, boolean> = {
  name: 'UNSET',
  decode: readMapping,
  run: () => false,
  encode(w, ok) {
    w.bool(ok);
  },
};
