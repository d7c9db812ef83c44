/**
 * FSCTL_SRV_REQUEST_RESUME_KEY (MS-SMB2 §2.2.32.3, §3.3.5.15.6): the key naming this Open as a
 * server-side copy source. Out: ResumeKey (24 bytes), ContextLength (0), 4 bytes of Context
 * padding — 32 bytes, what Windows and Samba send.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { type FsctlHandler, openOf } from './fsctl';
import { RESUME_KEY_SIZE, resumeKeyFor } from './resume-keys';

const RESPONSE_SIZE = RESUME_KEY_SIZE + 8;

export const requestResumeKey: FsctlHandler = {
  run(req) {
    if (req.maxOutput < RESPONSE_SIZE)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'MaxOutputResponse below 32');
    const out = Buffer.alloc(RESPONSE_SIZE);
    resumeKeyFor(req.ctx.server, openOf(req)).copy(out, 0);
    return { output: out };
  },
};
