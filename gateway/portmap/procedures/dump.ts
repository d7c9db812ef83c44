/**
 * RFC 1833 §3.2, PMAPPROC_DUMP (4): no arguments → `pmaplist`, a linked list encoded as
 * optional-data: TRUE + mapping for each entry, then FALSE. Lists every (prog, vers) served,
 * over TCP on the server's port, so `rpcinfo -p` shows what this server answers.
 */
import type { Procedure } from '../../rpc/types';
import { IPPROTO_TCP, type Mapping, writeMapping } from '../mapping';
import type { PortmapHost } from '../portmap-host';

export function createDump(host: PortmapHost): Procedure<void, Mapping[]> {
  return {
    name: 'DUMP',
    decode: () => undefined,
    run() {
      const port = host.address()?.port ?? 0;
      return host.programs().map(({ prog, vers }) => ({ prog, vers, prot: IPPROTO_TCP, port }));
    },
    encode(w, list) {
      for (const m of list) writeMapping(w.bool(true), m);
      w.bool(false);
    },
  };
}
