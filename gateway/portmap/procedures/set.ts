/**
 * RFC 1833 §3.2, PMAPPROC_SET (1): mapping → bool. Other services may not register with this
 * portmapper: it only describes the programs of its own server, so the answer is always FALSE.
 */
import type { Procedure } from '../../rpc/types';
import { type Mapping, readMapping } from '../mapping';

export const pmapSet: Procedure<Mapping, boolean> = {
  name: 'SET',
  decode: readMapping,
  run: () => false,
  encode(w, ok) {
    w.bool(ok);
  },
};
