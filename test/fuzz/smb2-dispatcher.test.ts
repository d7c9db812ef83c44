import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import type { PosixBackend } from '../../gateway/backend/posix-backend';
import { silentLogger } from '../../gateway/nfs/silent-logger';
import { NtlmServer } from '../../gateway/smb/auth';
import { COMMANDS } from '../../gateway/smb/commands';
import { ConnectionState } from '../../gateway/smb/connection-state';
import { Dispatcher } from '../../gateway/smb/dispatcher';
import { ServerContext } from '../../gateway/smb/server-context';
import { SmbSession } from '../../gateway/smb/session';
import { ShareTable } from '../../gateway/smb/tree';
import { tempBackend } from '../helpers/temp-backend';

/**
 * Fuzzing the SMB2 request path (header, compound chain, every command's decoder) with random
 * and mutated messages, in bounded time, straight into the Dispatcher of a connection that is
 * already negotiated (3.1.1) and holds a valid session and tree, so the commands themselves are
 * reached. Properties: handling a frame never throws — it answers (every member with a well
 * formed response header) or ends the connection — and nothing reaches the process.
 */

const STRUCTURE_SIZES = [36, 25, 4, 9, 4, 57, 24, 24, 49, 49, 48, 57, 4, 4, 33, 32, 41, 33, 24];

let be: { dir: string; backend: PosixBackend; close(): Promise<void> };
let server: ServerContext;

beforeAll(async () => {
  be = await tempBackend();
  server = new ServerContext({
    ntlm: new NtlmServer({ users: [{ user: 'alice', password: 'secret' }], nbComputerName: 'FUZZ' }),
    shares: new ShareTable([{ kind: 'disk', name: 'share', backend: be.backend, readOnly: false }]),
    logger: silentLogger(),
    credFor: () => ({ uid: 65534, gid: 65534, gids: [] }),
  });
});
afterAll(async () => {
  await be.close();
  await rm(be.dir, { recursive: true, force: true });
});

function connection(): ConnectionState {
  const conn = new ConnectionState(server, 'fuzz:0', silentLogger());
  conn.dialect = 0x0311;
  conn.serverCapabilities = 0x4;
  conn.credits.consume(0n, 1);
  conn.credits.grant(8000);
  const session = new SmbSession(1n);
  session.state = 'valid';
  session.signingKey = Buffer.alloc(16, 1);
  session.signingAlgorithm = 'aes-cmac';
  session.addTree(server.shares.get('share')!, 0x1f01ff);
  conn.sessions.set(1n, session);
  return conn;
}

const body = fc
  .record({
    // Half the time a command that takes a FileId, so the commands' own decoders are reached.
    command: fc.oneof(fc.integer({ min: 0, max: 0x16 }), fc.constantFrom(5, 6, 7, 8, 9, 11, 14, 16, 17)),
    rightSize: fc.oneof(
      { arbitrary: fc.constant(true), weight: 3 },
      { arbitrary: fc.constant(false), weight: 1 },
    ),
    length: fc.integer({ min: 0, max: 160 }),
    bytes: fc.uint8Array({ minLength: 160, maxLength: 160 }),
  })
  .map(({ command, rightSize, length, bytes }) => {
    const b = Buffer.from(bytes.subarray(0, Math.max(2, length)));
    if (rightSize && command < STRUCTURE_SIZES.length) b.writeUInt16LE(STRUCTURE_SIZES[command]!, 0);
    return { command, b };
  });

const message = fc
  .record({
    body,
    mid: fc.integer({ min: 0, max: 9000 }),
    charge: fc.oneof(
      { arbitrary: fc.constant(1), weight: 6 },
      { arbitrary: fc.integer({ min: 0, max: 200 }), weight: 1 },
    ),
    flags: fc.oneof(
      { arbitrary: fc.constant(0), weight: 6 },
      { arbitrary: fc.constantFrom(0x4, 0x8, 0x2, 0x10000000), weight: 2 },
    ),
    session: fc.oneof(
      { arbitrary: fc.constant(1n), weight: 8 },
      { arbitrary: fc.constantFrom(0n, 2n, 0xffffffffffffffffn), weight: 1 },
    ),
    tree: fc.oneof(
      { arbitrary: fc.constant(1), weight: 8 },
      { arbitrary: fc.constantFrom(0, 2, 0xffffffff), weight: 1 },
    ),
  })
  .map((m) => {
    const h = Buffer.alloc(64);
    h.writeUInt32LE(0x424d53fe, 0);
    h.writeUInt16LE(64, 4);
    h.writeUInt16LE(m.charge, 6);
    h.writeUInt16LE(m.body.command, 12);
    h.writeUInt32LE(m.flags, 16);
    h.writeBigUInt64LE(BigInt(m.mid), 24);
    h.writeUInt32LE(m.tree, 36);
    h.writeBigUInt64LE(m.session, 40);
    return Buffer.concat([h, m.body.b]);
  });

/** One message, or a compound of several with NextCommand set (sometimes wrongly). */
const frame = fc
  .tuple(fc.array(message, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.nat({ max: 300 }))
  .map(([msgs, honest, lie]) => {
    const parts = msgs.map((m, i) => {
      if (i + 1 === msgs.length) return m;
      const padded = Buffer.alloc((m.length + 7) & ~7);
      m.copy(padded);
      padded.writeUInt32LE(honest ? padded.length : lie, 20);
      return padded;
    });
    return Buffer.concat(parts);
  });

const mutated = fc
  .tuple(frame, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }))
  .map(([f, muts]) => {
    const b = Buffer.from(f);
    for (const [at, v] of muts) b[at % b.length] = v;
    return b;
  });

const seen = new Set<number>();

function wellFormed(out: Buffer): void {
  for (let at = 0; ; ) {
    expect(out.readUInt32LE(at)).toBe(0x424d53fe);
    seen.add(out.readUInt32LE(at + 8));
    expect(out.readUInt32LE(at + 16) & 1).toBe(1);
    const next = out.readUInt32LE(at + 20);
    if (!next) return;
    expect(next % 8).toBe(0);
    at += next;
  }
}

test('random and mutated SMB2 frames: answered with well-formed responses or a disconnect, never a throw', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(frame, mutated), async (f) => {
      const d = new Dispatcher(connection(), COMMANDS);
      const r = await d.handleFrame(f);
      if ('frame' in r) wellFormed(r.frame);
    }),
    { numRuns: 1500, interruptAfterTimeLimit: 15_000 },
  );
  // The commands themselves were reached, not only the dispatcher's checks.
  expect(seen.has(0xc0000128)).toBe(true); // STATUS_FILE_CLOSED, from a command's FileId lookup
  expect(seen.has(0)).toBe(true);
}, 30_000);
