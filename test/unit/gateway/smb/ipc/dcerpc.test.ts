/**
 * The DCE/RPC endpoint behind named pipes (C706 chapter 12): BIND negotiation results per
 * presentation context, fragmentation of a long response to the client's max_recv_frag, and
 * reassembly of a fragmented request.
 */
import { DcerpcEndpoint, type RpcInterface } from '../../../../../gateway/smb/ipc/dcerpc';
import { NdrReader, NdrWriter } from '../../../../../gateway/smb/ipc/ndr';

const IFACE = Buffer.from('c84f324b7016d30112785a47bf6ee188', 'hex');
const NDR = Buffer.from('045d888aeb1cc9119fe808002b104860', 'hex');
const NDR64 = Buffer.from('33057171babe37498319b5dbef9ccc36', 'hex');

function pdu(type: number, flags: number, callId: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h[0] = 5;
  h[2] = type;
  h[3] = flags;
  h[4] = 0x10;
  h.writeUInt16LE(16 + body.length, 8);
  h.writeUInt32LE(callId, 12);
  return Buffer.concat([h, body]);
}

function bind(maxRecv: number, contexts: { iface: Buffer; transfer: Buffer; version: number }[]): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16LE(4280, 0);
  head.writeUInt16LE(maxRecv, 2);
  head[8] = contexts.length;
  const items = contexts.map((c, i) => {
    const b = Buffer.alloc(44);
    b.writeUInt16LE(i, 0);
    b[2] = 1;
    c.iface.copy(b, 4);
    b.writeUInt32LE(3, 20);
    c.transfer.copy(b, 24);
    b.writeUInt32LE(c.version, 40);
    return b;
  });
  return pdu(11, 3, 1, Buffer.concat([head, ...items]));
}

function request(callId: number, flags: number, opnum: number, stub: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stub.length, 0);
  b.writeUInt16LE(opnum, 6);
  return pdu(0, flags, callId, Buffer.concat([b, stub]));
}

/** Echoes the stub back 600 times (a long answer). */
const echo: RpcInterface = {
  syntax: { uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', version: 3 },
  endpoint: '\\PIPE\\echo',
  call: (_opnum, stub) => Buffer.concat(Array.from({ length: 600 }, () => stub)),
};

function results(ack: Buffer): number[] {
  const addr = ack.readUInt16LE(24);
  let at = 26 + addr;
  at += (4 - (at % 4)) % 4;
  const n = ack[at]!;
  return Array.from({ length: n }, (_, i) => ack.readUInt16LE(at + 4 + 24 * i));
}

describe('DCE/RPC endpoint', () => {
  test('C706 12.6.4.4: NDR 2.0 is accepted, NDR64 and unknown interfaces are rejected', () => {
    const ep = new DcerpcEndpoint([echo]);
    const [ack] = ep.handle(
      bind(4280, [
        { iface: IFACE, transfer: NDR64, version: 1 },
        { iface: IFACE, transfer: NDR, version: 2 },
        { iface: Buffer.alloc(16, 1), transfer: NDR, version: 2 },
      ]),
    );
    expect(ack![2]).toBe(12);
    expect(results(ack!)).toEqual([2, 0, 2]);
  });

  test('a response longer than max_recv_frag is split into FIRST ... LAST fragments that add up', () => {
    const ep = new DcerpcEndpoint([echo]);
    ep.handle(bind(1024, [{ iface: IFACE, transfer: NDR, version: 2 }]));
    // The context accepted is id 0 (the only one offered).
    const stub = Buffer.from('abcdefgh');
    const frags = ep.handle(request(2, 3, 0, stub));
    expect(frags.length).toBeGreaterThan(1);
    for (const f of frags) expect(f.length).toBeLessThanOrEqual(1024);
    expect(frags[0]![3]! & 1).toBe(1);
    expect(frags.at(-1)![3]! & 2).toBe(2);
    expect(frags.slice(1, -1).every((f) => (f[3]! & 3) === 0)).toBe(true);
    const body = Buffer.concat(frags.map((f) => f.subarray(24)));
    expect(body.equals(Buffer.concat(Array.from({ length: 600 }, () => stub)))).toBe(true);
  });

  test('a request in two fragments is answered once, after the last', () => {
    const ep = new DcerpcEndpoint([echo]);
    ep.handle(bind(65535, [{ iface: IFACE, transfer: NDR, version: 2 }]));
    expect(ep.handle(request(3, 1, 0, Buffer.from('abcd')))).toEqual([]);
    const out = ep.handle(request(3, 2, 0, Buffer.from('efgh')));
    expect(out.length).toBeGreaterThan(0);
    const body = Buffer.concat(out.map((f) => f.subarray(24)));
    expect(body.length).toBe(600 * 8);
    expect(body.subarray(0, 16).toString()).toBe('abcdefghabcdefgh');
  });

  test('NDR strings and u32s round-trip with 4-byte alignment', () => {
    const w = new NdrWriter().u32(7).string('IPC$').u32(9).string('share');
    const r = new NdrReader(w.bytes());
    expect([r.u32(), r.string(), r.u32(), r.string()]).toEqual([7, 'IPC$', 9, 'share']);
  });
});
