/**
 * A minimal security descriptor (MS-DTYP §2.4.6, self-relative) for QUERY_INFO
 * SMB2_0_INFO_SECURITY, made from POSIX ownership and mode the way Samba presents a file
 * without an ACL store: owner S-1-22-1-<uid>, group S-1-22-2-<gid> (Samba's "Unix User" and
 * "Unix Group" authorities) and a DACL of three ACCESS_ALLOWED ACEs — owner, group, Everyone
 * (S-1-1-0) — each with the generic file rights its rwx bits give (the owner also holds the
 * rights over the descriptor itself). Only the parts AdditionalInformation asks for are included.
 */
import { type Attrs, FileType } from '../../backend/attrs';

export const OWNER_SECURITY_INFORMATION = 0x1;
export const GROUP_SECURITY_INFORMATION = 0x2;
export const DACL_SECURITY_INFORMATION = 0x4;

const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const FILE_GENERIC_READ = 0x00120089;
const FILE_GENERIC_WRITE = 0x00120116;
const FILE_GENERIC_EXECUTE = 0x001200a0;
/** DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_WRITE_ATTRIBUTES. */
const OWNER_EXTRA = 0x000f0100;
const FILE_DELETE_CHILD = 0x40;

function sid(authority: number, subs: readonly number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => {
    b.writeUInt32LE(s >>> 0, 8 + 4 * i);
  });
  return b;
}

function ace(mask: number, who: Buffer): Buffer {
  const b = Buffer.alloc(8 + who.length);
  b[0] = 0x00; // ACCESS_ALLOWED_ACE_TYPE
  b.writeUInt16LE(b.length, 2);
  b.writeUInt32LE(mask >>> 0, 4);
  who.copy(b, 8);
  return b;
}

function maskOf(r: boolean, w: boolean, x: boolean, dir: boolean): number {
  let m = 0;
  if (r) m |= FILE_GENERIC_READ;
  if (w) m |= FILE_GENERIC_WRITE | (dir ? FILE_DELETE_CHILD : 0);
  if (x) m |= FILE_GENERIC_EXECUTE;
  return m;
}

export function securityDescriptor(a: Attrs, additional: number): Buffer {
  const owner = sid(22, [1, a.uid]);
  const group = sid(22, [2, a.gid]);
  const dir = a.type === FileType.DIR;
  const bits = (shift: number) => {
    const v = (a.mode >> shift) & 7;
    return maskOf((v & 4) !== 0, (v & 2) !== 0, (v & 1) !== 0, dir);
  };
  const parts: Buffer[] = [];
  const header = Buffer.alloc(20);
  header[0] = 1;
  let control = SE_SELF_RELATIVE;
  let at = 20;
  if (additional & OWNER_SECURITY_INFORMATION) {
    header.writeUInt32LE(at, 4);
    parts.push(owner);
    at += owner.length;
  }
  if (additional & GROUP_SECURITY_INFORMATION) {
    header.writeUInt32LE(at, 8);
    parts.push(group);
    at += group.length;
  }
  if (additional & DACL_SECURITY_INFORMATION) {
    control |= SE_DACL_PRESENT;
    const aces = [ace(bits(6) | OWNER_EXTRA, owner), ace(bits(3), group), ace(bits(0), sid(1, [0]))];
    const aclHead = Buffer.alloc(8);
    aclHead[0] = 2;
    aclHead.writeUInt16LE(8 + aces.reduce((n, x) => n + x.length, 0), 2);
    aclHead.writeUInt16LE(aces.length, 4);
    header.writeUInt32LE(at, 16);
    parts.push(aclHead, ...aces);
  }
  header.writeUInt16LE(control, 2);
  return Buffer.concat([header, ...parts]);
}
