/**
 * FSCTL_CREATE_OR_GET_OBJECT_ID (MS-FSCC §2.3.7, FILE_OBJECTID_BUFFER §2.1.3.1): the 16-byte
 * object id of the open's file, made up if it has none — we derive a stable one from the inode
 * number and the server GUID instead of storing anything. Out: ObjectId, then the 48-byte
 * extended info (BirthVolumeId zero, BirthObjectId = ObjectId, DomainId zero): 64 bytes.
 * smbtorture smb2.compound.related3/5 send it in related chains.
 */
import { NtStatus, SmbError } from '../../ntstatus';
import { type FsctlHandler, openOf } from './fsctl';

const RESPONSE_SIZE = 64;

export const createOrGetObjectId: FsctlHandler = {
  run(req) {
    if (req.maxOutput < RESPONSE_SIZE)
      throw new SmbError(NtStatus.STATUS_BUFFER_TOO_SMALL, `MaxOutputResponse ${req.maxOutput} below 64`);
    const out = Buffer.alloc(RESPONSE_SIZE);
    out.writeBigUInt64LE(BigInt(openOf(req).ino), 0);
    req.ctx.server.serverGuid.copy(out, 8, 0, 8);
    out.copy(out, 32, 0, 16);
    return { output: out };
  },
};
