import {
  allocOutgoing,
  FrameDecoder,
  frameBuffers,
  frameHeader,
  reuseFrameBuffer,
  withRoom,
} from '../../../../gateway/smb/framing';
import { SMB2_HEADER_SIZE, SMB2_PROTOCOL_ID } from '../../../../gateway/smb/header';
import { encodeResponses, responseBodyWithRoom } from '../../../../gateway/smb/response-frame';

const header = {
  creditCharge: 1,
  status: 0,
  command: 8,
  credits: 1,
  flags: 0,
  nextCommand: 0,
  messageId: 7n,
  processId: 0,
  treeId: 1,
  sessionId: 9n,
};

/** The bytes a frame sends, in order. */
const sent = (bufs: Buffer[]) => Buffer.concat(bufs);

describe('outgoing frames: room in front, one write, no copy of the body', () => {
  test('a payload with room goes out as one buffer over the same memory, header in front', () => {
    const payload = allocOutgoing(4, 10);
    payload.fill(0xab);
    const bufs = frameBuffers(payload);
    expect(bufs).toHaveLength(1);
    expect(sent(bufs)).toEqual(Buffer.concat([frameHeader(10), Buffer.alloc(10, 0xab)]));
    payload[0] = 0x11; // the frame is a view of the payload's memory, not a copy
    expect(bufs[0]![4]).toBe(0x11);
  });

  test('without room: small payloads are copied behind the header, large ones sent apart', () => {
    const small = Buffer.from('abc');
    expect(frameBuffers(small)).toHaveLength(1);
    expect(sent(frameBuffers(small))).toEqual(Buffer.concat([frameHeader(3), small]));
    const large = Buffer.alloc(200_000, 1);
    const bufs = frameBuffers(large);
    expect(bufs).toHaveLength(2);
    expect(bufs[1]).toBe(large);
  });

  test('the bytes in front of a view of anything else are never used', () => {
    const other = Buffer.alloc(100, 0x55).subarray(50);
    expect(withRoom(other, 4)).toBeUndefined();
    const bufs = frameBuffers(other);
    expect(sent(bufs)).toEqual(Buffer.concat([frameHeader(50), Buffer.alloc(50, 0x55)]));
  });

  test('a lone response body with room gets its SMB2 header in place; compounds are laid out anew', () => {
    const body = responseBodyWithRoom(17, 16 + 5);
    body.fill(0, 2);
    Buffer.from('hello').copy(body, 16);
    const msg = encodeResponses([{ header, body }]);
    expect(msg.readUInt32LE(0)).toBe(SMB2_PROTOCOL_ID);
    expect(msg.readBigUInt64LE(24)).toBe(7n);
    expect(msg.subarray(SMB2_HEADER_SIZE + 16).toString()).toBe('hello');
    body[16] = 0x48; // same memory: the body was not copied
    expect(msg[SMB2_HEADER_SIZE + 16]).toBe(0x48);
    expect(sent(frameBuffers(msg)).readUIntBE(1, 3)).toBe(SMB2_HEADER_SIZE + 21);

    const two = encodeResponses([
      { header, body },
      { header: { ...header, messageId: 8n }, body: Buffer.alloc(9) },
    ]);
    expect(two.readUInt32LE(20)).toBe(SMB2_HEADER_SIZE + 24); // NextCommand, 8-byte aligned
    expect(two.readBigUInt64LE(SMB2_HEADER_SIZE + 24 + 24)).toBe(8n);
    expect(frameBuffers(two)).toHaveLength(1);
  });

  test('a large frame spanning chunks reuses a buffer only once it has been given back', () => {
    const big = (fill: number) => {
      const d = new FrameDecoder(9 << 20);
      const payload = Buffer.alloc(2 << 20, fill);
      const whole = Buffer.concat([frameHeader(payload.length), payload]);
      for (let at = 0; at < whole.length; at += 65536) d.push(whole.subarray(at, at + 65536));
      return d.next()!;
    };
    const a = big(1);
    const b = big(2);
    expect(b.buffer).not.toBe(a.buffer); // `a` is still lent: never handed out twice
    expect(a.every((x) => x === 1)).toBe(true);
    reuseFrameBuffer(a);
    const c = big(3);
    expect(c.buffer).toBe(a.buffer);
    expect(c.every((x) => x === 3)).toBe(true);
    reuseFrameBuffer(c);
    reuseFrameBuffer(c); // a second give-back is ignored: the buffer is not lent twice
    const d = big(4);
    const e = big(5);
    expect(d.buffer).not.toBe(e.buffer);
    for (const f of [b, d, e]) reuseFrameBuffer(f);
  });

  test('a large frame read chunk by chunk is assembled as it arrives, the next frame intact', () => {
    const d = new FrameDecoder(9 << 20);
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    const small = Buffer.from('after the big one');
    const wire = Buffer.concat([frameHeader(big.length), big, frameHeader(small.length), small]);
    const out: Buffer[] = [];
    // Odd chunk sizes, so the big frame's end and the next header share a chunk.
    for (let at = 0; at < wire.length; at += 65_537) {
      d.push(wire.subarray(at, at + 65_537));
      for (let f = d.next(); f; f = d.next()) out.push(f);
      if (out.length === 0) expect(d.midFrame).toBe(true);
    }
    expect(out).toHaveLength(2);
    expect(out[0]!.equals(big)).toBe(true);
    expect(out[1]!.toString()).toBe('after the big one');
    expect(d.bufferedBytes).toBe(0);
    expect(d.midFrame).toBe(false);
    reuseFrameBuffer(out[0]!);
  });
});
