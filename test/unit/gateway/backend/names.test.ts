import { randomBytes } from 'node:crypto';
import { bytesOfName, fsPath, hasEscapedBytes, nameFromBytes } from '../../../../gateway/backend/names';

describe('names: bytes ↔ strings (PEP 383 surrogateescape)', () => {
  test('valid UTF-8 is itself, in both directions', () => {
    for (const s of ['plain', 'héllo wörld ☃', '日本語', '😀 emoji', '']) {
      expect(nameFromBytes(Buffer.from(s))).toBe(s);
      expect(bytesOfName(s)).toEqual(Buffer.from(s));
      expect(hasEscapedBytes(s)).toBe(false);
      expect(fsPath(s)).toBe(s);
    }
  });

  test('a Latin-1 byte becomes one lone surrogate and comes back as that byte', () => {
    const raw = Buffer.from('caf\xe9.txt', 'latin1');
    const s = nameFromBytes(raw);
    expect(s).toBe('caf\udce9.txt');
    expect(hasEscapedBytes(s)).toBe(true);
    expect(bytesOfName(s)).toEqual(raw);
    expect(fsPath(`/dir/${s}`)).toEqual(Buffer.concat([Buffer.from('/dir/'), raw]));
  });

  test('valid sequences next to invalid bytes are kept as characters', () => {
    const raw = Buffer.concat([Buffer.from('é'), Buffer.from([0xff, 0xc3]), Buffer.from('☃')]);
    expect(nameFromBytes(raw)).toBe('é\udcff\udcc3☃');
    expect(bytesOfName(nameFromBytes(raw))).toEqual(raw);
  });

  test('a surrogate pair made of the escape range is a real character, not two bytes', () => {
    const s = '\u{10080}'; // encoded with the low surrogate U+DC80 inside a valid pair
    expect(hasEscapedBytes(s)).toBe(false);
    expect(bytesOfName(s)).toEqual(Buffer.from(s));
  });

  test('any byte string survives the round trip', () => {
    for (let i = 0; i < 2000; i++) {
      const raw = randomBytes(1 + (i % 40));
      expect(bytesOfName(nameFromBytes(raw))).toEqual(raw);
    }
  });
});
