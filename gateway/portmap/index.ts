/** PORTMAP v2 (RFC 1833) for the RPC server's own programs. */
export { IPPROTO_TCP, IPPROTO_UDP, type Mapping } from './mapping';
export type { PortmapHost } from './portmap-host';
export { createPortmapProgram, PMAP_PROG, PMAP_VERS, PmapProc } from './portmap-program';
