/**
 * What PORTMAP needs from the server it runs in: which programs are served and on which port.
 * RpcServer satisfies it; a narrow interface keeps portmap testable without sockets.
 */
import type { AddressInfo } from 'node:net';

export interface PortmapHost {
  hasProgram(prog: number, vers: number): boolean;
  programs(): ReadonlyArray<{ readonly prog: number; readonly vers: number }>;
  address(): AddressInfo | null;
}
