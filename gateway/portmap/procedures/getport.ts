/**
 * RFC 1833 §3.2, PMAPPROC_GETPORT (3): mapping (prog, vers, prot; port ignored) → unsigned int
 * port, 0 when not registered. Every program of this server listens on the server's own TCP
 * port, so the answer is that port for a served (prog, vers) over TCP, and 0 otherwise (we have
 * no UDP).
 */
import type { Procedure } from '../../rpc/types';
import { IPPROTO_TCP, type Mapping, readMapping } from '../mapping';
import type { PortmapHost } from '../portmap-host';

export function createGetport(host: PortmapHost): Procedure<Mapping, number> {
  return {
    name: 'GETPORT',
    decode: readMapping,
    run(m) {
      if (m.prot !== IPPROTO_TCP || !host.hasProgram(m.prog, m.vers)) return 0;
      return host.address()?.port ?? 0;
    },
    encode(w, port) {
      w.u32(port);
    },
  };
}
