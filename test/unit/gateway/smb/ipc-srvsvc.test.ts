/**
 * The srvsvc pipe on IPC$ over plain WRITE and READ (MS-SMB2 §3.3.5.12/13 on a named pipe):
 * a DCE/RPC BIND gets a BIND_ACK accepting NDR, NetrShareEnum (opnum 15) returns the shares,
 * NetrShareGetInfo (opnum 16) an unknown share's WERR_NET_NAME_NOT_FOUND, an unknown opnum a
 * FAULT, and a READ with nothing queued STATUS_PIPE_EMPTY.
 */
import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import { Cmd, loggedOn, readBody, type Smb2TestClient, writeBody } from '../../../helpers/smb2-client';

const SRVSVC = Buffer.from('c84f324b7016d30112785a47bf6ee188', 'hex');
const NDR = Buffer.from('045d888aeb1cc9119fe808002b104860', 'hex');

function pdu(type: number, callId: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h[0] = 5;
  h[2] = type;
  h[3] = 3;
  h[4] = 0x10;
  h.writeUInt16LE(16 + body.length, 8);
  h.writeUInt32LE(callId, 12);
  return Buffer.concat([h, body]);
}

function bind(): Buffer {
  const b = Buffer.alloc(12 + 44);
  b.writeUInt16LE(4280, 0);
  b.writeUInt16LE(4280, 2);
  b[8] = 1;
  b.writeUInt16LE(0, 12);
  b[14] = 1;
  SRVSVC.copy(b, 16);
  b.writeUInt32LE(3, 32);
  NDR.copy(b, 36);
  b.writeUInt32LE(2, 52);
  return pdu(11, 1, b);
}

function request(callId: number, opnum: number, stub: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stub.length, 0);
  b.writeUInt16LE(opnum, 6);
  return pdu(0, callId, Buffer.concat([b, stub]));
}

/** NetrShareEnum: ServerName null, Level 1, container with no entries, max length, no resume handle. */
function shareEnumStub(): Buffer {
  const s = Buffer.alloc(28);
  s.writeUInt32LE(1, 4);
  s.writeUInt32LE(1, 8);
  s.writeUInt32LE(0x20000, 12);
  s.writeUInt32LE(0xffffffff, 24);
  return s;
}

function ndrString(text: string): Buffer {
  const chars = Buffer.from(`${text}\0`, 'utf16le');
  const head = Buffer.alloc(12);
  head.writeUInt32LE(chars.length / 2, 0);
  head.writeUInt32LE(chars.length / 2, 8);
  const pad = Buffer.alloc((4 - (chars.length % 4)) % 4);
  return Buffer.concat([head, chars, pad]);
}

describe('srvsvc on IPC$ over WRITE/READ', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  let pipe: Buffer;
  beforeAll(async () => {
    srv = await startTestSmbServer();
    c = await loggedOn(srv.port, [0x0302], { share: 'IPC$' });
    const o = await c.create('srvsvc', { access: 0x0012019f, disposition: 1 });
    expect(o.r.status).toBe(0);
    pipe = o.fileId;
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  const call = async (message: Buffer): Promise<Buffer> => {
    const w = await c.send(Cmd.WRITE, writeBody(pipe, message));
    expect(w.status).toBe(0);
    const r = await c.send(Cmd.READ, readBody(pipe, 4280));
    expect(r.status).toBe(0);
    return r.body.subarray(16, 16 + r.body.readUInt32LE(4));
  };

  test('a READ before any request is STATUS_PIPE_EMPTY', async () => {
    expect((await c.send(Cmd.READ, readBody(pipe, 1024))).status).toBe(0xc00000d9);
  });

  test('BIND is accepted with NDR, then NetrShareEnum lists share and IPC$', async () => {
    const ack = await call(bind());
    expect(ack[2]).toBe(12);
    const addrLen = ack.readUInt16LE(24);
    const results = 26 + addrLen + ((4 - ((26 + addrLen) % 4)) % 4);
    expect([ack[results], ack.readUInt16LE(results + 4)]).toEqual([1, 0]);

    const resp = await call(request(2, 15, shareEnumStub()));
    expect(resp[2]).toBe(2);
    const stub = resp.subarray(24);
    expect(stub.readUInt32LE(0)).toBe(1); // level
    expect(stub.readUInt32LE(12)).toBe(2); // EntriesRead
    expect(stub.readUInt32LE(stub.length - 4)).toBe(0); // WERR_OK
    const text = stub.toString('utf16le', 0, stub.length - (stub.length % 2));
    const odd = stub.toString('utf16le', 1, stub.length - ((stub.length - 1) % 2));
    expect(text.includes('share') || odd.includes('share')).toBe(true);
    expect(text.includes('IPC$') || odd.includes('IPC$')).toBe(true);
  });

  test('NetrShareGetInfo of a missing share is WERR_NET_NAME_NOT_FOUND; an unknown opnum faults', async () => {
    const stub = Buffer.concat([Buffer.alloc(4), ndrString('nope'), Buffer.from([1, 0, 0, 0])]);
    const resp = await call(request(3, 16, stub));
    expect(resp[2]).toBe(2);
    expect(resp.readUInt32LE(resp.length - 4)).toBe(2310);
    const fault = await call(request(4, 99, Buffer.alloc(0)));
    expect([fault[2], fault.readUInt32LE(24)]).toEqual([3, 0x1c010002]);
  });
});
