/**
 * Connection-oriented DCE/RPC over a named pipe (C706 chapter 12, MS-RPCE §2.2.2), as much as
 * one interface per pipe needs: BIND / ALTER_CONTEXT answered with BIND_ACK /
 * ALTER_CONTEXT_RESP (NDR 2.0 accepted; NDR64 and anything else rejected; bind-time feature
 * negotiation acknowledged with no features), REQUEST answered with RESPONSE (split into
 * fragments of the client's max_recv_frag) or FAULT. No authentication (the SMB session is the
 * authentication, as on Windows' IPC$ for srvsvc).
 *
 * Common header (16 bytes): rpc_vers 5, rpc_vers_minor 0, PTYPE, pfc_flags, packed_drep
 * (little-endian, ASCII, IEEE: 0x10 0 0 0), frag_length, auth_length, call_id.
 */
import { NdrError } from './ndr';

export const PType = {
  REQUEST: 0,
  RESPONSE: 2,
  FAULT: 3,
  BIND: 11,
  BIND_ACK: 12,
  ALTER_CONTEXT: 14,
  ALTER_CONTEXT_RESP: 15,
} as const;

const PFC_FIRST_FRAG = 0x01;
const PFC_LAST_FRAG = 0x02;
const PFC_OBJECT_UUID = 0x80;
const HEADER = 16;
/** C706 Appendix E: nca_s_op_rng_error, nca_s_proto_error, nca_s_unknown_if. */
export const Fault = { OP_RNG_ERROR: 0x1c010002, PROTO_ERROR: 0x1c01000b, UNKNOWN_IF: 0x1c010003 } as const;

export interface SyntaxId {
  readonly uuid: string;
  readonly version: number;
}

export const NDR20: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 };
const BIND_TIME_FEATURES_PREFIX = '6cb71c2c-9812-4540-';

/** What an RPC interface (srvsvc, ...) offers the pipe. */
export interface RpcInterface {
  readonly syntax: SyntaxId;
  /** The secondary address in BIND_ACK, e.g. '\\PIPE\\srvsvc'. */
  readonly endpoint: string;
  /** The response stub for `opnum`, or a fault code (a number). */
  call(opnum: number, stub: Buffer): Buffer | number;
}

export class DcerpcError extends Error {
  override readonly name = 'DcerpcError';
}

/** GUID text ↔ its wire form (first three fields little-endian, MS-DTYP §2.3.4). */
function uuidOf(b: Buffer, at: number): string {
  const hex = (s: number, e: number) => b.subarray(at + s, at + e).toString('hex');
  const le = (s: number, e: number) =>
    Buffer.from(b.subarray(at + s, at + e))
      .reverse()
      .toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

function uuidBytes(text: string): Buffer {
  const p = text.split('-');
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(p[0]!), le(p[1]!), le(p[2]!), Buffer.from(p[3]! + p[4]!, 'hex')]);
}

function header(type: number, flags: number, callId: number, bodyLength: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h[0] = 5;
  h[2] = type;
  h[3] = flags;
  h[4] = 0x10;
  h.writeUInt16LE(HEADER + bodyLength, 8);
  h.writeUInt32LE(callId, 12);
  return h;
}

/** One server side of an RPC association over one pipe open. */
export class DcerpcEndpoint {
  private maxRecvFrag = 4280;
  private readonly contexts = new Map<number, RpcInterface>();
  /** Request fragments being gathered: call id → stub pieces. */
  private partial: { callId: number; ctx: number; opnum: number; pieces: Buffer[]; size: number } | undefined;

  constructor(private readonly interfaces: readonly RpcInterface[]) {}

  /** The PDUs answering one complete PDU `pdu` (none while a fragmented request is incomplete). */
  handle(pdu: Buffer): Buffer[] {
    if (pdu.length < HEADER || pdu[0] !== 5 || pdu[1] !== 0) throw new DcerpcError('not a DCE/RPC v5.0 PDU');
    if (pdu[4] !== 0x10) throw new DcerpcError('only little-endian NDR is spoken here');
    const fragLength = pdu.readUInt16LE(8);
    if (fragLength !== pdu.length) throw new DcerpcError('frag_length does not match the PDU');
    const callId = pdu.readUInt32LE(12);
    try {
      switch (pdu[2]) {
        case PType.BIND:
          return [this.bind(pdu, callId, PType.BIND_ACK)];
        case PType.ALTER_CONTEXT:
          return [this.bind(pdu, callId, PType.ALTER_CONTEXT_RESP)];
        case PType.REQUEST:
          return this.request(pdu, callId);
        default:
          return [this.fault(callId, 0, Fault.PROTO_ERROR)];
      }
    } catch (err) {
      if (err instanceof NdrError || err instanceof RangeError)
        return [this.fault(callId, 0, Fault.PROTO_ERROR)];
      throw err;
    }
  }

  private bind(pdu: Buffer, callId: number, answer: number): Buffer {
    const maxXmit = pdu.readUInt16LE(16);
    const maxRecv = pdu.readUInt16LE(18);
    this.maxRecvFrag = Math.max(1024, Math.min(maxRecv, maxXmit, 65535));
    const assoc = pdu.readUInt32LE(20) || 0x12345;
    const count = pdu[24]!;
    let at = 28;
    const results: Buffer[] = [];
    let endpoint = '';
    for (let i = 0; i < count; i++) {
      const ctxId = pdu.readUInt16LE(at);
      const nTransfer = pdu[at + 2]!;
      const abstract: SyntaxId = { uuid: uuidOf(pdu, at + 4), version: pdu.readUInt16LE(at + 20) };
      const iface = this.interfaces.find(
        (f) => f.syntax.uuid === abstract.uuid && f.syntax.version === abstract.version,
      );
      at += 24;
      let result: Buffer | undefined;
      for (let t = 0; t < nTransfer; t++, at += 20) {
        const uuid = uuidOf(pdu, at);
        if (result) continue;
        if (uuid.startsWith(BIND_TIME_FEATURES_PREFIX)) {
          result = Buffer.alloc(24); // negotiate_ack (3), no features (reason 0), null syntax
          result.writeUInt16LE(3, 0);
        } else if (iface && uuid === NDR20.uuid && pdu.readUInt32LE(at + 16) === NDR20.version) {
          result = Buffer.concat([Buffer.alloc(4), uuidBytes(NDR20.uuid), Buffer.from([2, 0, 0, 0])]);
          this.contexts.set(ctxId, iface);
          endpoint = iface.endpoint;
        }
      }
      if (!result) {
        // provider_rejection: abstract syntax (1) or transfer syntaxes (2) not supported.
        result = Buffer.alloc(24);
        result.writeUInt16LE(2, 0);
        result.writeUInt16LE(iface ? 2 : 1, 2);
      }
      results.push(result);
    }
    const addr = endpoint ? Buffer.from(`${endpoint}\0`, 'latin1') : Buffer.alloc(0);
    const head = Buffer.alloc(8 + 2);
    head.writeUInt16LE(this.maxRecvFrag, 0);
    head.writeUInt16LE(this.maxRecvFrag, 2);
    head.writeUInt32LE(assoc, 4);
    head.writeUInt16LE(addr.length, 8);
    const pad = Buffer.alloc((4 - ((HEADER + head.length + addr.length) % 4)) % 4);
    const list = Buffer.alloc(4);
    list[0] = results.length;
    const body = Buffer.concat([head, addr, pad, list, ...results]);
    return Buffer.concat([header(answer, PFC_FIRST_FRAG | PFC_LAST_FRAG, callId, body.length), body]);
  }

  private request(pdu: Buffer, callId: number): Buffer[] {
    const flags = pdu[3]!;
    const ctx = pdu.readUInt16LE(20);
    const opnum = pdu.readUInt16LE(22);
    const authLength = pdu.readUInt16LE(10);
    const stubAt = HEADER + 8 + (flags & PFC_OBJECT_UUID ? 16 : 0);
    const stub = pdu.subarray(stubAt, pdu.length - (authLength ? authLength + 8 : 0));
    if (flags & PFC_FIRST_FRAG) this.partial = { callId, ctx, opnum, pieces: [], size: 0 };
    const p = this.partial;
    if (!p || p.callId !== callId) return [this.fault(callId, ctx, Fault.PROTO_ERROR)];
    p.pieces.push(Buffer.from(stub));
    p.size += stub.length;
    if (p.size > 1024 * 1024) {
      this.partial = undefined;
      return [this.fault(callId, ctx, Fault.PROTO_ERROR)];
    }
    if (!(flags & PFC_LAST_FRAG)) return [];
    this.partial = undefined;
    const iface = this.contexts.get(p.ctx);
    if (!iface) return [this.fault(callId, p.ctx, Fault.UNKNOWN_IF)];
    const out = iface.call(p.opnum, Buffer.concat(p.pieces, p.size));
    if (typeof out === 'number') return [this.fault(callId, p.ctx, out)];
    return this.response(callId, p.ctx, out);
  }

  /** RESPONSE PDUs carrying `stub`, each at most max_recv_frag long. */
  private response(callId: number, ctx: number, stub: Buffer): Buffer[] {
    const room = (this.maxRecvFrag - HEADER - 8) & ~7;
    const pdus: Buffer[] = [];
    for (let at = 0; at === 0 || at < stub.length; at += room) {
      const piece = stub.subarray(at, at + room);
      const flags = (at === 0 ? PFC_FIRST_FRAG : 0) | (at + room >= stub.length ? PFC_LAST_FRAG : 0);
      const body = Buffer.alloc(8);
      body.writeUInt32LE(stub.length - at, 0);
      body.writeUInt16LE(ctx, 4);
      pdus.push(Buffer.concat([header(PType.RESPONSE, flags, callId, 8 + piece.length), body, piece]));
      if (stub.length === 0) break;
    }
    return pdus;
  }

  private fault(callId: number, ctx: number, status: number): Buffer {
    const body = Buffer.alloc(16);
    body.writeUInt16LE(ctx, 4);
    body.writeUInt32LE(status, 8);
    return Buffer.concat([header(PType.FAULT, PFC_FIRST_FRAG | PFC_LAST_FRAG, callId, body.length), body]);
  }
}
