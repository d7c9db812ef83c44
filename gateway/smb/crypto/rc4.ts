/**
 * RC4 (ARCFOUR; test vectors in RFC 6229), by hand because Node 20's OpenSSL 3 has no 'rc4'
 * without the legacy provider. NTLM uses it to unwrap the KEY_EXCH session key
 * (MS-NLMP §3.4.5.1 RC4K) and, as a stateful handle, to seal message signatures (§3.4.4.2).
 */

/** A keyed RC4 stream. Each `update` continues the keystream where the previous one stopped. */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    // Key scheduling: one pass swapping by the key bytes.
    for (let k = 0, j = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      const t = s[k]!;
      s[k] = s[j]!;
      s[j] = t;
    }
  }

  /** XORs `data` with the next `data.length` keystream bytes (encrypt and decrypt alike). */
  update(data: Uint8Array): Buffer {
    const s = this.s;
    const out = Buffer.allocUnsafe(data.length);
    let { i, j } = this;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
      out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** One-shot RC4 with a fresh key schedule: MS-NLMP's RC4K(key, data). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
