/**
 * A security descriptor a client sets, mapped onto POSIX ownership and mode — the inverse of
 * security-descriptor.ts, so QUERY_INFO returns what SET_INFO stored, as far as mode bits can
 * hold it:
 * - owner S-1-22-1-<uid> → uid, group S-1-22-2-<gid> → gid (Samba's Unix User / Unix Group
 *   SIDs, the ones we hand out); any other SID: STATUS_INVALID_OWNER (for a group too: we have
 *   no SID → gid table to map it through).
 * - the DACL's ACCESS_ALLOWED ACEs (inherit-only ones skipped) give r/w/x: ACEs for the owner's
 *   SID (or CREATOR OWNER S-1-3-0) to the user bits, the group's SID (or CREATOR GROUP S-1-3-1)
 *   to the group bits, Everyone (S-1-1-0) to the other bits; read = FILE_READ_DATA, write =
 *   FILE_WRITE_DATA or FILE_APPEND_DATA, execute = FILE_EXECUTE (generic rights mapped first).
 *   ACCESS_DENIED ACEs for the same trustees clear what they deny. A NULL DACL is rwx for all.
 *   Set-id and sticky bits are kept.
 */
import { type Attrs, FileType, type SetAttrs } from '../../backend/attrs';
import { mapGenericAccess } from '../file-attrs';
import { NtStatus, SmbError } from '../ntstatus';
import { Access } from '../open-table';
import {
  ACCESS_DENIED_ACE_TYPE,
  type Ace,
  INHERIT_ONLY_ACE,
  type ParsedDescriptor,
  type Sid,
  sidString,
} from './security-parse';

const UNIX_AUTHORITY = 22;

function idOf(sid: Sid, kind: 1 | 2): number | undefined {
  if (sid.authority !== UNIX_AUTHORITY || sid.subs.length !== 2 || sid.subs[0] !== kind) return undefined;
  return sid.subs[1];
}

function rwxOf(mask: number): number {
  const m = mapGenericAccess(mask);
  let v = 0;
  if (m & Access.FILE_READ_DATA) v |= 4;
  if (m & (Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA)) v |= 2;
  if (m & Access.FILE_EXECUTE) v |= 1;
  return v;
}

function modeOfDacl(dacl: readonly Ace[] | null, uid: number, gid: number): number {
  if (dacl === null) return 0o777;
  const shiftOf = (s: Sid): number | undefined => {
    const text = sidString(s);
    if (idOf(s, 1) === uid || text === 'S-1-3-0') return 6;
    if (idOf(s, 2) === gid || text === 'S-1-3-1') return 3;
    if (text === 'S-1-1-0') return 0;
    return undefined;
  };
  let allowed = 0;
  let denied = 0;
  for (const ace of dacl) {
    if (ace.flags & INHERIT_ONLY_ACE) continue;
    const shift = shiftOf(ace.sid);
    if (shift === undefined) continue;
    const bits = rwxOf(ace.mask) << shift;
    if (ace.type === ACCESS_DENIED_ACE_TYPE) denied |= bits & ~allowed;
    else allowed |= bits & ~denied;
  }
  return allowed & ~denied;
}

/** The POSIX changes a descriptor asks for; `wanted` is AdditionalInformation. */
export function setAttrsOfDescriptor(sd: ParsedDescriptor, wanted: number, now: Attrs): SetAttrs {
  const set: { -readonly [K in keyof SetAttrs]: SetAttrs[K] } = {};
  if (wanted & 0x1 && sd.owner) {
    const uid = idOf(sd.owner, 1);
    if (uid === undefined) throw new SmbError(NtStatus.STATUS_INVALID_OWNER, sidString(sd.owner));
    if (uid !== now.uid) set.uid = uid;
  }
  if (wanted & 0x2 && sd.group) {
    const gid = idOf(sd.group, 2);
    if (gid === undefined) throw new SmbError(NtStatus.STATUS_INVALID_OWNER, sidString(sd.group));
    if (gid !== now.gid) set.gid = gid;
  }
  if (wanted & 0x4 && sd.dacl !== undefined) {
    const mode = (now.mode & 0o7000) | modeOfDacl(sd.dacl, set.uid ?? now.uid, set.gid ?? now.gid);
    if (mode !== (now.mode & 0o7777)) set.mode = mode;
  }
  // A directory nobody may search is useless to its owner too; Windows' owner keeps access
  // through WRITE_DAC, so we keep the owner's x on directories rather than lock them out.
  if (set.mode !== undefined && now.type === FileType.DIR && set.mode & 0o600) set.mode |= 0o100;
  return set;
}
