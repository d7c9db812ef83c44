/**
 * Commands we recognise but do not implement yet, answered STATUS_NOT_SUPPORTED after the usual
 * session and tree checks:
 * - OPLOCK_BREAK (§2.2.24): we never grant an oplock or lease, so there is nothing to acknowledge.
 */
import { NtStatus, SmbError } from '../ntstatus';
import type { SmbCommand } from './command';

function refused(name: string, structureSize: number): SmbCommand {
  return {
    name,
    structureSize,
    needs: 'tree',
    run: () => {
      throw new SmbError(NtStatus.STATUS_NOT_SUPPORTED, `${name} is not implemented`);
    },
  };
}

export const oplockBreak = refused('OPLOCK_BREAK', 24);
