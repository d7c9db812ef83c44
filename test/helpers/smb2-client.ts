/**
 * A raw SMB2 client for tests, written from MS-SMB2 §2.2 apart from the server code: its own
 * framing, header layout and request bodies, so a server bug is not mirrored by the client.
 * It shares with the server only the vector-tested crypto (KDF, signing) and uses the
 * independent NTLM test client for SESSION_SETUP. It can send anything, including broken
 * frames, and exposes each response's header fields and body.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { deriveSmb3Keys, type SigningAlgorithm, signMessage } from '../../gateway/smb/crypto';
import { NtlmTestClient } from './ntlm-client';

export const Cmd = {
  NEGOTIATE: 0,
  SESSION_SETUP: 1,
  LOGOFF: 2,
  TREE_CONNECT: 3,
  TREE_DISCONNECT: 4,
  CREATE: 5,
  CLOSE: 6,
  FLUSH: 7,
  READ: 8,
  WRITE: 9,
  LOCK: 10,
  IOCTL: 11,
  CANCEL: 12,
  ECHO: 13,
  QUERY_DIRECTORY: 14,
  QUERY_INFO: 16,
  SET_INFO: 17,
} as const;

export interface Reply {
  readonly status: number;
  readonly command: number;
  readonly credits: number;
  readonly flags: number;
  readonly messageId: bigint;
  readonly sessionId: bigint;
  readonly treeId: number;
  readonly signature: Buffer;
  readonly body: Buffer;
  /** The whole response message (header + body), for signature checks. */
  readonly raw: Buffer;
}

export interface SendOptions {
  sessionId?: bigint;
  treeId?: number;
  creditCharge?: number;
  creditRequest?: number;
  flags?: number;
  messageId?: bigint;
  /** Sign with the session key (default: when signing is on for this client). */
  sign?: boolean;
}

export interface Member extends SendOptions {
  command: number;
  body: Buffer;
}

const U = (s: string): Buffer => Buffer.from(s, 'utf16le');

export function parseReplies(frame: Buffer): Reply[] {
  const out: Reply[] = [];
  for (let at = 0; ; ) {
    const next = frame.readUInt32LE(at + 20);
    const end = next ? at + next : frame.length;
    const raw = frame.subarray(at, end);
    out.push({
      status: raw.readUInt32LE(8),
      command: raw.readUInt16LE(12),
      credits: raw.readUInt16LE(14),
      flags: raw.readUInt32LE(16),
      messageId: raw.readBigUInt64LE(24),
      treeId: raw.readUInt32LE(36),
      sessionId: raw.readBigUInt64LE(40),
      signature: Buffer.from(raw.subarray(48, 64)),
      body: raw.subarray(64),
      raw,
    });
    if (!next) return out;
    at = end;
  }
}

export class Smb2TestClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: ((f: Buffer | undefined) => void)[] = [];
  private frames: Buffer[] = [];
  private ended = false;
  nextMid = 0n;
  dialect = 0;
  sessionId = 0n;
  treeId = 0;
  signingKey?: Buffer;
  /** The NTLM exported session key (16 bytes) of the last successful logon: SMB3 keys derive from it. */
  sessionKey?: Buffer;
  signingAlgorithm: SigningAlgorithm = 'hmac-sha256';
  /** Sign every request once a key exists. */
  signAll = false;
  private preauth: Buffer = Buffer.alloc(64);

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<Smb2TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new Smb2TestClient(s)));
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const len = this.buf.readUIntBE(1, 3);
      if (this.buf.length < 4 + len) break;
      const f = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      const w = this.waiters.shift();
      if (w) w(f);
      else this.frames.push(f);
    }
  }

  /** The next frame from the server, or undefined when the connection closed first. */
  nextFrame(timeoutMs = 5000): Promise<Buffer | undefined> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no SMB2 frame within the timeout')), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }

  /** Resolves true if the server closes the connection within `ms`. */
  async closesWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Frames `payload` (Direct TCP) and sends it. */
  sendFrame(payload: Buffer): void {
    const h = Buffer.alloc(4);
    h.writeUIntBE(payload.length, 1, 3);
    this.socket.write(Buffer.concat([h, payload]));
  }

  /** One request message (header + body), MessageId allocated unless given. */
  message(m: Member): Buffer {
    const charge = m.creditCharge ?? (this.dialect >= 0x0210 ? 1 : 0);
    const mid = m.messageId ?? this.nextMid;
    if (m.messageId === undefined) this.nextMid += BigInt(Math.max(1, charge));
    const h = Buffer.alloc(64);
    h.writeUInt32LE(0x424d53fe, 0);
    h.writeUInt16LE(64, 4);
    h.writeUInt16LE(charge, 6);
    h.writeUInt16LE(m.command, 12);
    h.writeUInt16LE(m.creditRequest ?? 64, 14);
    h.writeUInt32LE(m.flags ?? 0, 16);
    h.writeBigUInt64LE(mid, 24);
    h.writeUInt32LE(0xfeff, 32);
    h.writeUInt32LE(m.treeId ?? this.treeId, 36);
    h.writeBigUInt64LE(m.sessionId ?? this.sessionId, 40);
    const msg = Buffer.concat([h, m.body]);
    const sign = m.sign ?? (this.signAll && this.signingKey !== undefined);
    if (sign && this.signingKey) signMessage(msg, this.signingKey, this.signingAlgorithm);
    return msg;
  }

  async send(command: number, body: Buffer, o: SendOptions = {}): Promise<Reply> {
    const [r] = await this.compound([{ command, body, ...o }]);
    return r!;
  }

  /** Sends members as one compound frame (8-byte aligned, NextCommand set); returns the replies. */
  async compound(members: Member[]): Promise<Reply[]> {
    const msgs = members.map((m, i) => {
      const raw = this.message(m);
      if (i + 1 < members.length) {
        const padded = Buffer.alloc((raw.length + 7) & ~7);
        raw.copy(padded);
        padded.writeUInt32LE(padded.length, 20);
        // Re-sign: NextCommand is covered by the signature.
        if (m.sign ?? (this.signAll && this.signingKey))
          signMessage(padded, this.signingKey!, this.signingAlgorithm);
        return padded;
      }
      return raw;
    });
    this.sendFrame(Buffer.concat(msgs));
    const f = await this.nextFrame();
    if (!f) throw new Error('connection closed by the server');
    return parseReplies(f);
  }

  /** NEGOTIATE; for 3.1.1 with PREAUTH (SHA-512) and SIGNING (AES-CMAC) contexts. */
  async negotiate(
    dialects: number[] = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311],
    securityMode = 1,
  ): Promise<Reply> {
    const fixed = Buffer.alloc(36 + 2 * dialects.length);
    fixed.writeUInt16LE(36, 0);
    fixed.writeUInt16LE(dialects.length, 2);
    fixed.writeUInt16LE(securityMode, 4);
    fixed.writeUInt32LE(0x7f, 8);
    Buffer.from('0123456789abcdef').copy(fixed, 12);
    dialects.forEach((d, i) => {
      fixed.writeUInt16LE(d, 36 + 2 * i);
    });
    let body = fixed;
    if (dialects.includes(0x0311)) {
      const pad = Buffer.alloc(((64 + fixed.length + 7) & ~7) - 64 - fixed.length);
      const pre = Buffer.alloc(8 + 38);
      pre.writeUInt16LE(1, 0);
      pre.writeUInt16LE(38, 2);
      pre.writeUInt16LE(1, 8);
      pre.writeUInt16LE(32, 10);
      pre.writeUInt16LE(1, 12);
      const sig = Buffer.alloc(8 + 4);
      sig.writeUInt16LE(8, 0);
      sig.writeUInt16LE(4, 2);
      sig.writeUInt16LE(1, 8);
      sig.writeUInt16LE(1, 10);
      const prePadded = Buffer.concat([pre, Buffer.alloc(((pre.length + 7) & ~7) - pre.length)]);
      fixed.writeUInt32LE(64 + fixed.length + pad.length, 28);
      fixed.writeUInt16LE(2, 32);
      body = Buffer.concat([fixed, pad, prePadded, sig]);
    }
    const msg = this.message({ command: Cmd.NEGOTIATE, body, creditCharge: 0 });
    this.sendFrame(msg);
    const r = parseReplies((await this.nextFrame())!)[0]!;
    this.dialect = r.status === 0 ? r.body.readUInt16LE(4) : 0;
    if (this.dialect === 0x0311) this.preauth = this.hash(this.hash(this.preauth, msg), r.raw);
    if (this.dialect >= 0x0300) this.signingAlgorithm = 'aes-cmac';
    return r;
  }

  private hash(prev: Buffer, m: Buffer): Buffer {
    return createHash('sha512').update(prev).update(m).digest();
  }

  /** Two-leg NTLMv2 logon (SPNEGO by default); sets sessionId and the signing key on success. */
  async sessionSetup(user: string, password: string, spnego = true, securityMode = 1): Promise<Reply> {
    const ntlm = new NtlmTestClient({ user, password, domain: 'WORKGROUP', spnego });
    const leg = async (token: Buffer, sessionId: bigint) => {
      const body = Buffer.alloc(24 + token.length);
      body.writeUInt16LE(25, 0);
      body[3] = securityMode;
      body.writeUInt16LE(64 + 24, 12);
      body.writeUInt16LE(token.length, 14);
      token.copy(body, 24);
      const msg = this.message({ command: Cmd.SESSION_SETUP, body, sessionId, sign: false });
      this.sendFrame(msg);
      const r = parseReplies((await this.nextFrame())!)[0]!;
      return { msg, r };
    };
    const first = await leg(ntlm.negotiate(), 0n);
    let preauth = this.hash(this.hash(this.preauth, first.msg), first.r.raw);
    const sid = first.r.sessionId;
    const tok = first.r.body.subarray(
      first.r.body.readUInt16LE(4) - 64,
      first.r.body.readUInt16LE(4) - 64 + first.r.body.readUInt16LE(6),
    );
    const second = await leg(ntlm.authenticate(tok), sid);
    preauth = this.hash(preauth, second.msg);
    if (second.r.status === 0) {
      this.sessionId = sid;
      const key = ntlm.exportedSessionKey!.subarray(0, 16);
      this.sessionKey = Buffer.from(key);
      this.signingKey =
        this.dialect >= 0x0300
          ? deriveSmb3Keys(
              key,
              this.dialect as 0x0300,
              this.dialect === 0x0311 ? { preauthHash: preauth } : {},
            ).signingKey
          : Buffer.from(key);
    }
    return second.r;
  }

  async treeConnect(path: string): Promise<Reply> {
    const p = U(path);
    const body = Buffer.alloc(8 + p.length);
    body.writeUInt16LE(9, 0);
    body.writeUInt16LE(72, 4);
    body.writeUInt16LE(p.length, 6);
    p.copy(body, 8);
    const r = await this.send(Cmd.TREE_CONNECT, body);
    if (r.status === 0) this.treeId = r.treeId;
    return r;
  }

  /** CREATE with the usual fields; returns the reply and its 16-byte FileId. */
  async create(
    name: string,
    o: { access?: number; disposition?: number; options?: number; share?: number } = {},
    send: SendOptions = {},
  ): Promise<{ r: Reply; fileId: Buffer }> {
    const r = await this.send(Cmd.CREATE, createBody(name, o), send);
    return { r, fileId: r.status === 0 ? Buffer.from(r.body.subarray(64, 80)) : Buffer.alloc(16) };
  }

  close(fileId: Buffer, send: SendOptions = {}): Promise<Reply> {
    return this.send(Cmd.CLOSE, closeBody(fileId), send);
  }

  end(): void {
    this.socket.destroy();
  }
}

export function createBody(
  name: string,
  o: { access?: number; disposition?: number; options?: number; share?: number } = {},
): Buffer {
  const n = U(name);
  const body = Buffer.alloc(56 + Math.max(n.length, 1));
  body.writeUInt16LE(57, 0);
  body.writeUInt32LE(2, 4);
  body.writeUInt32LE(o.access ?? 0x0012019f, 24);
  body.writeUInt32LE(o.share ?? 7, 32);
  body.writeUInt32LE(o.disposition ?? 1, 36);
  body.writeUInt32LE(o.options ?? 0, 40);
  body.writeUInt16LE(64 + 56, 44);
  body.writeUInt16LE(n.length, 46);
  n.copy(body, 56);
  return body;
}

export function closeBody(fileId: Buffer): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt16LE(24, 0);
  fileId.copy(body, 8);
  return body;
}

export function readBody(fileId: Buffer, length: number, offset = 0n): Buffer {
  const body = Buffer.alloc(49);
  body.writeUInt16LE(49, 0);
  body.writeUInt32LE(length, 4);
  body.writeBigUInt64LE(offset, 8);
  fileId.copy(body, 16);
  return body;
}

export function writeBody(fileId: Buffer, data: Buffer, offset = 0n): Buffer {
  const body = Buffer.alloc(48 + data.length);
  body.writeUInt16LE(49, 0);
  body.writeUInt16LE(64 + 48, 2);
  body.writeUInt32LE(data.length, 4);
  body.writeBigUInt64LE(offset, 8);
  fileId.copy(body, 16);
  data.copy(body, 48);
  return body;
}

/** The FileId meaning "the one before me" in a related compound. */
export const CHAINED_FILE_ID = Buffer.alloc(16, 0xff);

/** Connect, negotiate `dialects`, log on as alice/secret and connect to \\127.0.0.1\share. */
export async function loggedOn(
  port: number,
  dialects: number[] = [0x0210],
  o: { user?: string; password?: string; share?: string } = {},
): Promise<Smb2TestClient> {
  const c = await Smb2TestClient.connect(port);
  await c.negotiate(dialects);
  const s = await c.sessionSetup(o.user ?? 'alice', o.password ?? 'secret');
  if (s.status !== 0) throw new Error(`logon failed: 0x${s.status.toString(16)}`);
  const t = await c.treeConnect(`\\\\127.0.0.1\\${o.share ?? 'share'}`);
  if (t.status !== 0) throw new Error(`tree connect failed: 0x${t.status.toString(16)}`);
  return c;
}
