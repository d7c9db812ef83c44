/**
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO (MS-SMB2 §2.2.32.5 out, §3.3.5.15.11): the addresses a
 * multichannel client may bind further channels to. FileId must be all ones (the request is
 * about the server, not a file): anything else is STATUS_INVALID_PARAMETER.
 *
 * Out: NETWORK_INTERFACE_INFO entries of 152 bytes: Next, IfIndex, Capability (no RSS, no
 * RDMA), Reserved, LinkSpeed (bits/s; Node cannot see it, so 1 Gbit/s), SockAddr_Storage (128:
 * family 2 = IPv4 {port 0, address}, 23 = IPv6 {port 0, flowinfo 0, address, scope id}).
 * Loopback is listed only when it is all there is. No room for one entry: BUFFER_TOO_SMALL.
 */
import { networkInterfaces } from 'node:os';
import { NtStatus, SmbError } from '../../ntstatus';
import type { FsctlHandler } from './fsctl';

const ENTRY_SIZE = 152;
const AF_INET = 0x0002;
const AF_INET6 = 0x0017;
const LINK_SPEED = 1_000_000_000n;
const ALL_ONES = 0xffffffffffffffffn;

interface Address {
  readonly index: number;
  readonly family: 'IPv4' | 'IPv6';
  readonly address: string;
  readonly scopeid?: number;
}

export function listAddresses(): Address[] {
  const all: (Address & { internal: boolean })[] = [];
  Object.values(networkInterfaces()).forEach((list, i) => {
    for (const a of list ?? [])
      all.push({
        index: i + 1,
        family: a.family,
        address: a.address,
        internal: a.internal,
        ...(a.family === 'IPv6' ? { scopeid: a.scopeid ?? 0 } : {}),
      });
  });
  const external = all.filter((a) => !a.internal);
  return external.length > 0 ? external : all;
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.split('%')[0]!.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter(Boolean) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  all.forEach((g, i) => {
    b.writeUInt16BE(Number.parseInt(g, 16) & 0xffff, i * 2);
  });
  return b;
}

function entry(a: Address, last: boolean): Buffer {
  const b = Buffer.alloc(ENTRY_SIZE);
  b.writeUInt32LE(last ? 0 : ENTRY_SIZE, 0);
  b.writeUInt32LE(a.index, 4);
  b.writeBigUInt64LE(LINK_SPEED, 16);
  const sa = b.subarray(24);
  if (a.family === 'IPv4') {
    sa.writeUInt16LE(AF_INET, 0);
    a.address.split('.').forEach((o, i) => {
      sa[4 + i] = Number(o);
    });
  } else {
    sa.writeUInt16LE(AF_INET6, 0);
    ipv6Bytes(a.address).copy(sa, 8);
    sa.writeUInt32LE(a.scopeid ?? 0, 24);
  }
  return b;
}

export const networkInterfaceInfo: FsctlHandler = {
  noOpen: true,
  run({ ctx, maxOutput }) {
    const id = ctx.body;
    if (id.readBigUInt64LE(8) !== ALL_ONES || id.readBigUInt64LE(16) !== ALL_ONES)
      throw new SmbError(NtStatus.STATUS_INVALID_PARAMETER, 'FileId must be all ones');
    const addrs = listAddresses();
    const fit = Math.min(addrs.length, Math.floor(maxOutput / ENTRY_SIZE));
    if (fit === 0) throw new SmbError(NtStatus.STATUS_BUFFER_TOO_SMALL, 'no room for one interface');
    return { output: Buffer.concat(addrs.slice(0, fit).map((a, i) => entry(a, i === fit - 1))) };
  },
};
