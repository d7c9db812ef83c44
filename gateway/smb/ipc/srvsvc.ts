/**
 * The srvsvc RPC interface (MS-SRVS), the calls share browsing needs: NetrShareEnum (opnum 15:
 * `smbclient -L`, Explorer's share view) and NetrShareEnumSticky (opnum 36, same answer: every
 * share here is permanent) at levels 0, 1 and 2, NetrShareGetInfo (opnum 16) at levels 0, 1
 * and 2, and NetrServerGetInfo (opnum 21) at levels 100 and 101. Shares: every disk share
 * (STYPE_DISKTREE) and IPC$ (STYPE_IPC | STYPE_SPECIAL). Other opnums fault with
 * nca_s_op_rng_error; other levels answer WERR_INVALID_LEVEL, an unknown share
 * WERR_NET_NAME_NOT_FOUND (MS-SRVS §3.1.4.8/.10/.17).
 *
 * NetrShareEnum in: ServerName (unique string), InfoStruct {Level, union tag, unique pointer to
 * the container}, PreferedMaximumLength, ResumeHandle (unique u32). Out: InfoStruct (level, tag,
 * pointer, container {EntriesRead, pointer to the array}, the array: conformant count, the
 * fixed parts, then every entry's strings), TotalEntries, ResumeHandle, WERROR.
 */
import { Fault, type RpcInterface } from './dcerpc';
import { NdrReader, NdrWriter } from './ndr';

export interface ShareEntry {
  readonly name: string;
  readonly type: number;
  readonly remark: string;
}

export const STYPE_DISKTREE = 0;
export const STYPE_IPC_SPECIAL = 0x80000003;
const WERR_OK = 0;
const WERR_INVALID_LEVEL = 124;
const WERR_NET_NAME_NOT_FOUND = 2310;
/** Share rights a level-2 entry reports: none to hide (ACCESS_ALL would need an ACL store). */
const MAX_USES_UNLIMITED = 0xffffffff;

function writeLevel(w: NdrWriter, level: number, shares: readonly ShareEntry[]): void {
  // The fixed parts, each pointer a referent...
  for (const s of shares) {
    w.referent();
    if (level >= 1) w.u32(s.type).referent();
    if (level === 2) w.u32(0).u32(MAX_USES_UNLIMITED).u32(0).referent().referent();
  }
  // ...then, entry by entry, the strings those pointers lead to.
  for (const s of shares) {
    w.string(s.name);
    if (level >= 1) w.string(s.remark);
    if (level === 2) w.string(s.type === STYPE_DISKTREE ? 'C:\\' : '').string('');
  }
}

function shareEnum(stub: Buffer, shares: readonly ShareEntry[]): Buffer {
  const r = new NdrReader(stub);
  r.uniqueString();
  const level = r.u32();
  const w = new NdrWriter();
  if (level > 2) {
    w.u32(level).u32(level).u32(0).u32(0).u32(0).u32(WERR_INVALID_LEVEL);
    return w.bytes();
  }
  w.u32(level).u32(level).referent(); // InfoStruct: Level, union tag, pointer to the container
  w.u32(shares.length).referent(); // container: EntriesRead, pointer to the array
  w.u32(shares.length); // the conformant array's size
  writeLevel(w, level, shares);
  w.u32(shares.length); // TotalEntries
  w.referent().u32(0); // ResumeHandle: 0, everything was sent
  w.u32(WERR_OK);
  return w.bytes();
}

function shareGetInfo(stub: Buffer, shares: readonly ShareEntry[]): Buffer {
  const r = new NdrReader(stub);
  r.uniqueString();
  const name = r.string();
  const level = r.u32();
  const w = new NdrWriter();
  const share = shares.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (level > 2 || !share) {
    w.u32(level)
      .u32(0)
      .u32(share ? WERR_INVALID_LEVEL : WERR_NET_NAME_NOT_FOUND);
    return w.bytes();
  }
  w.u32(level).referent(); // union tag, pointer to the SHARE_INFO_n
  writeLevel(w, level, [share]);
  w.u32(WERR_OK);
  return w.bytes();
}

/** MS-SRVS §2.2.4.40 SERVER_INFO_101 facts: Windows NT platform, a workstation and NT server. */
const PLATFORM_ID_NT = 500;
const SV_TYPE = 0x1 | 0x2 | 0x8000;
const VERSION = { major: 6, minor: 1 };

/** NetrServerGetInfo (opnum 21) at levels 100 and 101: what Explorer asks before listing shares. */
function serverGetInfo(stub: Buffer, serverName: string): Buffer {
  const r = new NdrReader(stub);
  r.uniqueString();
  const level = r.u32();
  const w = new NdrWriter();
  if (level !== 100 && level !== 101) {
    w.u32(level).u32(0).u32(WERR_INVALID_LEVEL);
    return w.bytes();
  }
  w.u32(level).referent().u32(PLATFORM_ID_NT).referent();
  if (level === 101) w.u32(VERSION.major).u32(VERSION.minor).u32(SV_TYPE).referent();
  w.string(serverName);
  if (level === 101) w.string('');
  w.u32(WERR_OK);
  return w.bytes();
}

export function srvsvcInterface(shares: () => readonly ShareEntry[], serverName = 'UPCALL'): RpcInterface {
  return {
    syntax: { uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', version: 3 },
    endpoint: '\\PIPE\\srvsvc',
    call(opnum, stub) {
      if (opnum === 15 || opnum === 36) return shareEnum(stub, shares());
      if (opnum === 16) return shareGetInfo(stub, shares());
      if (opnum === 21) return serverGetInfo(stub, serverName);
      return Fault.OP_RNG_ERROR;
    },
  };
}
