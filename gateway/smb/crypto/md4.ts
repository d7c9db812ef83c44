/**
 * MD4 (RFC 1320), written out by hand because Node 20's OpenSSL 3 refuses `createHash('md4')`
 * without the legacy provider. NTLM needs it for one thing: the NT hash, MD4 of the UTF-16LE
 * password (MS-NLMP §3.3.1 NTOWFv1), and for the NTLMv1 session base key.
 *
 * Synchronous on purpose: hash-wasm's md4 is asynchronous (it returns a Promise), which would
 * force every caller of the NT hash to be async; hash-wasm stays a dev dependency and serves as
 * an independent oracle in the tests.
 */

/** RFC 1320 §3.4: the three auxiliary functions. */
const F = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number): number => x ^ y ^ z;

const rotl = (x: number, s: number): number => (x << s) | (x >>> (32 - s));

/** Word order of rounds 2 and 3 (round 1 takes words 0..15 in order). */
const R2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const R3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const S1 = [3, 7, 11, 19];
const S2 = [3, 5, 9, 13];
const S3 = [3, 9, 11, 15];

/** RFC 1320 §3.1–3.2: pad with 0x80, zeros to 56 mod 64, then the bit length (64-bit LE). */
function pad(data: Uint8Array): Buffer {
  const blocks = Math.floor((data.length + 8) / 64) + 1;
  const out = Buffer.alloc(blocks * 64);
  out.set(data, 0);
  out[data.length] = 0x80;
  const bits = data.length * 8;
  out.writeUInt32LE(bits >>> 0, out.length - 8);
  out.writeUInt32LE(Math.floor(bits / 0x100000000), out.length - 4);
  return out;
}

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  const m = pad(data);
  // RFC 1320 §3.3: initial buffer A, B, C, D.
  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = m.readInt32LE(off + i * 4);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;
    // Each round runs 16 steps; a step updates one register and the roles rotate a→d→c→b.
    for (let i = 0; i < 16; i++) {
      const t = rotl((a + F(b, c, d) + x[i]!) | 0, S1[i & 3]!);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    for (let i = 0; i < 16; i++) {
      const t = rotl((a + G(b, c, d) + x[R2[i]!]! + 0x5a827999) | 0, S2[i & 3]!);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    for (let i = 0; i < 16; i++) {
      const t = rotl((a + H(b, c, d) + x[R3[i]!]! + 0x6ed9eba1) | 0, S3[i & 3]!);
      a = d;
      d = c;
      c = b;
      b = t;
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
