/**
 * A minimal NTLM CLIENT for tests, written from MS-NLMP §3.1.5 / §3.3 and RFC 4178 separately from
 * the server code (no import from gateway/smb/auth): its own message layout, AV pairs, key
 * derivation, MIC, SPNEGO encoding and mechListMIC. It shares only the RFC-vector-tested
 * primitives md4, rc4 and DES from gateway/smb/crypto (Node 20 has none of them by default).
 * python3-impacket was not on this machine; this is the independent peer instead.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { desEncryptBlock, expandDesKey } from '../../gateway/smb/crypto/des';
import { md4 } from '../../gateway/smb/crypto/md4';
import { Rc4, rc4 } from '../../gateway/smb/crypto/rc4';

export type NtlmClientMode = 'v2' | 'v1' | 'v1-ess';

export interface NtlmClientOptions {
  user: string;
  domain: string;
  password?: string;
  ntHash?: Buffer;
  workstation?: string;
  mode?: NtlmClientMode;
  /** Wrap in SPNEGO (GSS negTokenInit, then negTokenResp) instead of bare NTLMSSP. */
  spnego?: boolean;
  /** Send a MIC (and, under SPNEGO, a mechListMIC) when the CHALLENGE has a timestamp. Default true. */
  mic?: boolean;
  /** Send mechListMIC under SPNEGO even without a MIC. */
  mechListMic?: boolean;
  keyExch?: boolean;
  /** 64-byte AUTHENTICATE header without VERSION and MIC (pre-Vista layout). */
  legacyLayout?: boolean;
  anonymous?: boolean;
  /** Mechanisms to offer (SPNEGO); NTLMSSP must be among them for a sensible test. */
  mechTypes?: string[];
}

const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10';
const U = (s: string): Buffer => Buffer.from(s, 'utf16le');
const hmac = (k: Uint8Array, ...d: Uint8Array[]): Buffer => {
  const h = createHmac('md5', k);
  for (const x of d) h.update(x);
  return h.digest();
};
const md5 = (...d: Uint8Array[]): Buffer => {
  const h = createHash('md5');
  for (const x of d) h.update(x);
  return h.digest();
};

function der(tag: number, ...body: Buffer[]): Buffer {
  const b = Buffer.concat(body);
  const len =
    b.length < 128 ? [b.length] : b.length < 256 ? [0x81, b.length] : [0x82, b.length >> 8, b.length & 255];
  return Buffer.concat([Buffer.from([tag, ...len]), b]);
}
function derOid(s: string): Buffer {
  const a = s.split('.').map(Number);
  const out = [a[0]! * 40 + a[1]!];
  for (const n of a.slice(2)) {
    const b = [n & 127];
    for (let x = n >> 7; x > 0; x >>= 7) b.unshift(0x80 | (x & 127));
    out.push(...b);
  }
  return der(0x06, Buffer.from(out));
}
/** Finds context tag [n]'s OCTET STRING in a negTokenResp (enough parsing for our own server's replies). */
function respField(token: Buffer, n: number): Buffer | undefined {
  const seqStart = token[1]! & 0x80 ? 2 + (token[1]! & 0x7f) : 2;
  let p = seqStart + (token[seqStart + 1]! & 0x80 ? 2 + (token[seqStart + 1]! & 0x7f) : 2);
  while (p < token.length) {
    const tag = token[p]!;
    const lb = token[p + 1]!;
    const hl = lb & 0x80 ? 2 + (lb & 0x7f) : 2;
    const len = lb & 0x80 ? token.readUIntBE(p + 2, lb & 0x7f) : lb;
    if (tag === (0xa0 | n)) {
      const inner = token.subarray(p + hl, p + hl + len);
      const ilb = inner[1]!;
      return inner.subarray(ilb & 0x80 ? 2 + (ilb & 0x7f) : 2);
    }
    p += hl + len;
  }
  return undefined;
}

export class NtlmTestClient {
  readonly o: Required<Omit<NtlmClientOptions, 'password' | 'ntHash'>> & { ntHash: Buffer };
  negotiateMsg = Buffer.alloc(0);
  exportedSessionKey?: Buffer;
  flags = 0;
  mechTypesDer: Buffer;

  constructor(o: NtlmClientOptions) {
    const ntHash = o.ntHash ?? md4(U(o.password ?? ''));
    const mode = o.mode ?? 'v2';
    this.o = {
      workstation: 'TESTWS',
      mode,
      spnego: false,
      mic: true,
      mechListMic: false,
      keyExch: true,
      legacyLayout: false,
      anonymous: false,
      mechTypes: [NTLMSSP_OID],
      ...o,
      ntHash,
    };
    this.mechTypesDer = der(0x30, ...this.o.mechTypes.map(derOid));
  }

  /** First leg: NEGOTIATE (flags like smbclient's: UNICODE, REQUEST_TARGET, SIGN, NTLM, ALWAYS_SIGN, ESS, VERSION, 128, KEY_EXCH, 56). */
  negotiate(): Buffer {
    let flags =
      0x00000001 | 0x00000004 | 0x00000010 | 0x00000200 | 0x00008000 | 0x02000000 | 0x20000000 | 0x80000000;
    if (this.o.mode !== 'v1') flags |= 0x00080000;
    if (this.o.keyExch) flags |= 0x40000000;
    const m = Buffer.alloc(40);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(1, 8);
    m.writeUInt32LE(flags >>> 0, 12);
    Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 15]).copy(m, 32);
    this.negotiateMsg = m;
    if (!this.o.spnego) return m;
    const init = der(0x30, der(0xa0, this.mechTypesDer), der(0xa2, der(0x04, m)));
    return der(0x60, derOid('1.3.6.1.5.5.2'), der(0xa0, init));
  }

  /** The NEGOTIATE again, in a negTokenResp (after the server turned down an optimistic token for another mech). */
  negotiateInResp(): Buffer {
    return der(0xa1, der(0x30, der(0xa2, der(0x04, this.negotiateMsg))));
  }

  /** Second leg: AUTHENTICATE for the server's CHALLENGE (bare or inside its negTokenResp). */
  authenticate(serverToken: Buffer): Buffer {
    const chal = this.o.spnego ? respField(serverToken, 2)! : serverToken;
    const cflags = chal.readUInt32LE(20);
    const sc = chal.subarray(24, 32);
    const tiLen = chal.readUInt16LE(40);
    const ti = chal.subarray(chal.readUInt32LE(44), chal.readUInt32LE(44) + tiLen);
    const pairs: Array<[number, Buffer]> = [];
    for (let p = 0; ti.readUInt16LE(p) !== 0; p += 4 + ti.readUInt16LE(p + 2)) {
      pairs.push([ti.readUInt16LE(p), ti.subarray(p + 4, p + 4 + ti.readUInt16LE(p + 2))]);
    }
    const ts = pairs.find(([id]) => id === 7)?.[1];
    const wantMic =
      this.o.mic && ts !== undefined && this.o.mode === 'v2' && !this.o.legacyLayout && !this.o.anonymous;
    this.flags = (cflags & ~0x00020000) >>> 0;
    const cc = randomBytes(8);
    let lm: Buffer;
    let nt: Buffer;
    let kxkey: Buffer;
    if (this.o.anonymous) {
      lm = Buffer.alloc(1);
      nt = Buffer.alloc(0);
      kxkey = Buffer.alloc(16);
    } else if (this.o.mode === 'v2') {
      const key = hmac(this.o.ntHash, U(this.o.user.toUpperCase() + this.o.domain));
      if (wantMic) pairs.push([6, Buffer.from([2, 0, 0, 0])], [9, U('cifs/localhost')]);
      const avs = Buffer.concat([
        ...pairs.map(([id, v]) =>
          Buffer.concat([Buffer.from([id & 255, id >> 8, v.length & 255, v.length >> 8]), v]),
        ),
        Buffer.alloc(4),
      ]);
      const time = ts ?? Buffer.alloc(8);
      const temp = Buffer.concat([
        Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
        time,
        cc,
        Buffer.alloc(4),
        avs,
        Buffer.alloc(4),
      ]);
      const proof = hmac(key, sc, temp);
      nt = Buffer.concat([proof, temp]);
      lm = ts ? Buffer.alloc(24) : Buffer.concat([hmac(key, sc, cc), cc]);
      kxkey = hmac(key, proof);
    } else {
      const desl = (k: Buffer, d: Buffer): Buffer => {
        const k21 = Buffer.concat([k, Buffer.alloc(5)]);
        return Buffer.concat([0, 7, 14].map((o) => desEncryptBlock(expandDesKey(k21.subarray(o, o + 7)), d)));
      };
      const base = md4(this.o.ntHash);
      if (this.o.mode === 'v1-ess') {
        lm = Buffer.concat([cc, Buffer.alloc(16)]);
        nt = desl(this.o.ntHash, md5(sc, cc).subarray(0, 8));
        kxkey = hmac(base, sc, cc);
      } else {
        nt = desl(this.o.ntHash, sc);
        lm = nt;
        kxkey = base;
      }
    }
    let encKey: Buffer = Buffer.alloc(0);
    this.exportedSessionKey = kxkey;
    if (this.flags & 0x40000000 && !this.o.anonymous) {
      this.exportedSessionKey = randomBytes(16);
      encKey = rc4(kxkey, this.exportedSessionKey);
    }
    const fields = [
      lm,
      nt,
      U(this.o.anonymous ? '' : this.o.domain),
      U(this.o.anonymous ? '' : this.o.user),
      U(this.o.workstation),
      encKey,
    ];
    const head = this.o.legacyLayout ? 64 : 88;
    const m = Buffer.alloc(head);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(3, 8);
    let off = head;
    fields.forEach((f, i) => {
      m.writeUInt16LE(f.length, 12 + i * 8);
      m.writeUInt16LE(f.length, 14 + i * 8);
      m.writeUInt32LE(off, 16 + i * 8);
      off += f.length;
    });
    m.writeUInt32LE(this.flags, 60);
    if (!this.o.legacyLayout) Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 15]).copy(m, 64);
    const auth = Buffer.concat([m, ...fields]);
    if (wantMic) hmac(this.exportedSessionKey, this.negotiateMsg, chal, auth).copy(auth, 72);
    if (!this.o.spnego) return auth;
    const parts = [der(0xa2, der(0x04, auth))];
    if ((wantMic || this.o.mechListMic) && !this.o.anonymous)
      parts.push(der(0xa3, der(0x04, this.mechListMic('client-to-server'))));
    return der(0xa1, der(0x30, ...parts));
  }

  /** GSS_GetMIC over the DER mechTypes, sequence 0, for one direction (MS-NLMP §3.4.4.2 with ESS). */
  mechListMic(direction: 'client-to-server' | 'server-to-client'): Buffer {
    const k = this.exportedSessionKey!;
    const signKey = md5(k, Buffer.from(`session key to ${direction} signing key magic constant\0`, 'latin1'));
    const sealKey = md5(k, Buffer.from(`session key to ${direction} sealing key magic constant\0`, 'latin1'));
    let checksum = hmac(signKey, Buffer.alloc(4), this.mechTypesDer).subarray(0, 8);
    if (this.flags & 0x40000000) checksum = new Rc4(sealKey).update(checksum);
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, Buffer.alloc(4)]);
  }

  /** The mechListMIC in the server's final negTokenResp, if any. */
  static serverMechListMic(finalToken: Buffer): Buffer | undefined {
    return respField(finalToken, 3);
  }
}
