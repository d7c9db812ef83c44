/** SMB2 ECHO (MS-SMB2 §2.2.28/§2.2.29, §3.3.5.17): StructureSize 4 both ways; a liveness probe. */
import { responseBody, type SmbCommand } from './command';

export const echo: SmbCommand = {
  name: 'ECHO',
  structureSize: 4,
  needs: 'connection',
  run: () => ({ body: responseBody(4) }),
};
