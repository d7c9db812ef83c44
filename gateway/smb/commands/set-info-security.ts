/**
 * SET_INFO of InfoType SECURITY (MS-SMB2 §3.3.5.21.3, MS-DTYP §2.4.6): the descriptor's owner,
 * group and DACL — those AdditionalInformation names — become POSIX owner, group and mode
 * (info/security-apply.ts). Needs WRITE_OWNER for owner or group, WRITE_DAC for the DACL
 * (STATUS_ACCESS_DENIED otherwise); SACL and label bits are accepted and ignored (there is no
 * audit store). The backend checks again: changing the owner is root's alone (EPERM →
 * STATUS_ACCESS_DENIED).
 */
import { setAttrsOfDescriptor } from '../info/security-apply';
import { parseSecurityDescriptor } from '../info/security-parse';
import { Access } from '../open-table';
import { requireAccess } from './command';
import type { SetInfoOp } from './set-info-ops';

const OWNER_OR_GROUP = 0x1 | 0x2;
const DACL = 0x4;

export async function setSecurity(op: SetInfoOp, buf: Buffer, additional: number): Promise<void> {
  if (additional & OWNER_OR_GROUP) requireAccess(op.open, Access.WRITE_OWNER, 'set owner');
  if (additional & DACL) requireAccess(op.open, Access.WRITE_DAC, 'set DACL');
  const sd = parseSecurityDescriptor(buf);
  const backend = op.open.tree.disk!.backend;
  const now = await backend.getattr(op.open.ino);
  const set = setAttrsOfDescriptor(sd, additional, now);
  if (Object.keys(set).length) await backend.setattr(op.open.ino, set, op.cred);
}
