import { FrameDecoder, FramingError, frameHeader } from '../../../../gateway/smb/framing';

const frame = (payload: Buffer) => Buffer.concat([frameHeader(payload.length), payload]);

describe('Direct TCP framing (MS-SMB2 §2.1)', () => {
  test('a frame split into single bytes comes out whole, once', () => {
    const d = new FrameDecoder(1024);
    const bytes = frame(Buffer.from('hello smb2'));
    const out: Buffer[] = [];
    for (const b of bytes) {
      d.push(Buffer.of(b));
      for (let f = d.next(); f; f = d.next()) out.push(f);
    }
    expect(out.map(String)).toEqual(['hello smb2']);
    expect(d.midFrame).toBe(false);
  });

  test('several frames in one chunk come out in order', () => {
    const d = new FrameDecoder(1024);
    d.push(Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('bb')), frame(Buffer.from('ccc'))]));
    expect([d.next(), d.next(), d.next(), d.next()].map((f) => f?.toString())).toEqual([
      'a',
      'bb',
      'ccc',
      undefined,
    ]);
  });

  test('an oversized length is refused from its 4-byte header alone, before the body is kept', () => {
    const d = new FrameDecoder(4096);
    d.push(frameHeader(4097));
    expect(() => d.next()).toThrow(FramingError);
    expect(d.bufferedBytes).toBe(0);
  });

  test('a frame of exactly the limit is accepted', () => {
    const d = new FrameDecoder(100);
    d.push(frame(Buffer.alloc(100, 7)));
    expect(d.next()?.length).toBe(100);
  });

  test('a truncated frame is held, not delivered, and reported as mid-frame', () => {
    const d = new FrameDecoder(1024);
    d.push(frame(Buffer.alloc(50)).subarray(0, 30));
    expect(d.next()).toBeUndefined();
    expect(d.midFrame).toBe(true);
  });

  test('a first byte other than 0 (and not a keep-alive) is a framing error', () => {
    const d = new FrameDecoder(1024);
    d.push(Buffer.from([0x81, 0, 0, 4, 1, 2, 3, 4]));
    expect(() => d.next()).toThrow(/not a Direct TCP frame/);
  });

  test('NetBIOS keep-alives and empty frames are skipped', () => {
    const d = new FrameDecoder(1024);
    d.push(Buffer.concat([Buffer.from([0x85, 0, 0, 0]), frameHeader(0), frame(Buffer.from('x'))]));
    expect(d.next()?.toString()).toBe('x');
  });

  test('frameHeader writes a 24-bit big-endian length behind a zero byte, and refuses > 2^24-1', () => {
    expect(frameHeader(0x123456)).toEqual(Buffer.from([0, 0x12, 0x34, 0x56]));
    expect(() => frameHeader(0x1000000)).toThrow(RangeError);
  });

  test('the decoder refuses a limit it cannot express', () => {
    expect(() => new FrameDecoder(0x1000000)).toThrow(RangeError);
  });
});
