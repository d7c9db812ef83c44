/**
 * Reading a self-relative security descriptor a client sends in SET_INFO SMB2_0_INFO_SECURITY
 * (MS-DTYP §2.4.6 SECURITY_DESCRIPTOR, §2.4.2.2 SID, §2.4.5 ACL, §2.4.4.1 ACE_HEADER): Revision,
 * Sbz1, Control, OffsetOwner, OffsetGroup, OffsetSacl, OffsetDacl; SIDs as Revision,
 * SubAuthorityCount, 6-byte big-endian IdentifierAuthority, little-endian SubAuthorities; an ACL
 * as AclRevision, Sbz1, AclSize, AceCount, Sbz2, then ACEs {AceType, AceFlags, AceSize, Mask,
 * Sid}. Anything out of bounds or malformed: STATUS_INVALID_SECURITY_DESCR.
 */
import { NtStatus, SmbError } from '../ntstatus';

export interface Sid {
  readonly authority: number;
  readonly subs: readonly number[];
}

export interface Ace {
  readonly type: number;
  readonly flags: number;
  readonly mask: number;
  readonly sid: Sid;
}

export interface ParsedDescriptor {
  readonly control: number;
  readonly owner?: Sid;
  readonly group?: Sid;
  /** undefined: no DACL in the descriptor; null: a NULL DACL (everyone, everything). */
  readonly dacl?: readonly Ace[] | null;
}

export const SE_DACL_PRESENT = 0x0004;
export const ACCESS_ALLOWED_ACE_TYPE = 0x00;
export const ACCESS_DENIED_ACE_TYPE = 0x01;
/** AceFlags INHERIT_ONLY_ACE: the ACE is for children only and says nothing about this object. */
export const INHERIT_ONLY_ACE = 0x08;
const MAX_ACES = 1820;

function bad(why: string): SmbError {
  return new SmbError(NtStatus.STATUS_INVALID_SECURITY_DESCR, why);
}

export function parseSid(b: Buffer, at: number): { sid: Sid; size: number } {
  if (at + 8 > b.length || b[at] !== 1) throw bad('SID header');
  const count = b[at + 1]!;
  if (count > 15 || at + 8 + 4 * count > b.length) throw bad('SID sub-authorities');
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(at + 8 + 4 * i));
  return { sid: { authority: b.readUIntBE(at + 2, 6), subs }, size: 8 + 4 * count };
}

function parseAcl(b: Buffer, at: number): Ace[] {
  if (at + 8 > b.length) throw bad('ACL header');
  const size = b.readUInt16LE(at + 2);
  const count = b.readUInt16LE(at + 4);
  if (at + size > b.length || count > MAX_ACES) throw bad('ACL size');
  const aces: Ace[] = [];
  let p = at + 8;
  for (let i = 0; i < count; i++) {
    if (p + 8 > at + size) throw bad('ACE header');
    const aceSize = b.readUInt16LE(p + 2);
    if (aceSize < 8 || p + aceSize > at + size) throw bad('ACE size');
    const type = b[p]!;
    if (type === ACCESS_ALLOWED_ACE_TYPE || type === ACCESS_DENIED_ACE_TYPE)
      aces.push({ type, flags: b[p + 1]!, mask: b.readUInt32LE(p + 4), sid: parseSid(b, p + 8).sid });
    p += aceSize;
  }
  return aces;
}

export function parseSecurityDescriptor(b: Buffer): ParsedDescriptor {
  if (b.length < 20 || b[0] !== 1) throw bad('descriptor header');
  const control = b.readUInt16LE(2);
  const ownerAt = b.readUInt32LE(4);
  const groupAt = b.readUInt32LE(8);
  const daclAt = b.readUInt32LE(16);
  const d: { -readonly [K in keyof ParsedDescriptor]: ParsedDescriptor[K] } = { control };
  if (ownerAt) d.owner = parseSid(b, ownerAt).sid;
  if (groupAt) d.group = parseSid(b, groupAt).sid;
  if (control & SE_DACL_PRESENT) d.dacl = daclAt ? parseAcl(b, daclAt) : null;
  return d;
}

export function sidString(s: Sid): string {
  return `S-1-${s.authority}${s.subs.map((x) => `-${x}`).join('')}`;
}
