/**
 * Compound requests (MS-SMB2 §3.3.5.2.7): related members inherit SessionId, TreeId and the
 * FileId of the CREATE before them; unrelated ones stand alone; the responses come back in
 * one frame, 8-byte aligned, and a failed CREATE fails the related members after it. Error
 * propagation follows Samba (smbtorture smb2.compound.invalid1-3, related9), and a request
 * that goes async mid-chain is answered INTERNAL_ERROR as Windows does (compound.interim2).
 */

import { startTestSmbServer, type TestSmbServer } from '../../../helpers/smb-server';
import {
  CHAINED_FILE_ID,
  Cmd,
  closeBody,
  createBody,
  loggedOn,
  readBody,
  writeBody,
} from '../../../helpers/smb2-client';

const RELATED = 0x4;
const S = {
  SUCCESS: 0,
  INVALID_PARAMETER: 0xc000000d,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  FILE_CLOSED: 0xc0000128,
  USER_SESSION_DELETED: 0xc0000203,
  INTERNAL_ERROR: 0xc00000e5,
};

/** CHANGE_NOTIFY (§2.2.35) on `fileId` for name changes: nothing happens, so it would go async. */
function notifyBody(fileId: Buffer): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt16LE(32, 0);
  b.writeUInt32LE(4096, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(0x3, 24);
  return b;
}

/** IOCTL (§2.2.31) FSCTL_CREATE_OR_GET_OBJECT_ID on `fileId`, up to 64 bytes out. */
function objectIdBody(fileId: Buffer): Buffer {
  const b = Buffer.alloc(56);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(0x000900c0, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(64 + 56, 24);
  b.writeUInt32LE(64, 44);
  b.writeUInt32LE(1, 48);
  return b;
}

/** QUERY_INFO (§2.2.37) FileBasicInformation of `fileId`. */
function basicInfoBody(fileId: Buffer): Buffer {
  const b = Buffer.alloc(41);
  b.writeUInt16LE(41, 0);
  b[2] = 1;
  b[3] = 4;
  b.writeUInt32LE(4096, 4);
  fileId.copy(b, 24);
  return b;
}

describe('SMB2 compound requests', () => {
  let srv: TestSmbServer;
  beforeAll(async () => {
    srv = await startTestSmbServer();
  });
  afterAll(() => srv.close());

  test('related CREATE + WRITE + READ + CLOSE on the chained FileId, answered in one frame', async () => {
    const c = await loggedOn(srv.port, [0x0302]);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('chained.txt', { disposition: 5 }) },
      { command: Cmd.WRITE, body: writeBody(CHAINED_FILE_ID, Buffer.from('compound!')), flags: RELATED },
      { command: Cmd.READ, body: readBody(CHAINED_FILE_ID, 100), flags: RELATED },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([0, 0, 0, 0]);
    expect(replies.map((r) => r.command)).toEqual([Cmd.CREATE, Cmd.WRITE, Cmd.READ, Cmd.CLOSE]);
    expect(replies.slice(1).every((r) => (r.flags & RELATED) !== 0)).toBe(true);
    const read = replies[2]!;
    expect(read.body.subarray(16, 16 + read.body.readUInt32LE(4)).toString()).toBe('compound!');
    c.end();
  });

  test('unrelated members each use their own ids', async () => {
    const c = await loggedOn(srv.port);
    const echo = Buffer.alloc(4);
    echo.writeUInt16LE(4, 0);
    const replies = await c.compound([
      { command: Cmd.ECHO, body: echo },
      { command: Cmd.CREATE, body: createBody('', { access: 0x81, options: 1 }) },
      { command: Cmd.ECHO, body: echo },
    ]);
    expect(replies.map((r) => r.status)).toEqual([0, 0, 0]);
    await c.close(Buffer.from(replies[1]!.body.subarray(64, 80)));
    c.end();
  });

  test('a failed CREATE fails the related members after it with its own status', async () => {
    const c = await loggedOn(srv.port);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('missing.txt', { disposition: 1 }) },
      { command: Cmd.READ, body: readBody(CHAINED_FILE_ID, 10), flags: RELATED },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([
      S.OBJECT_NAME_NOT_FOUND,
      S.OBJECT_NAME_NOT_FOUND,
      S.OBJECT_NAME_NOT_FOUND,
    ]);
    c.end();
  });

  test('a first member marked related is STATUS_INVALID_PARAMETER', async () => {
    const c = await loggedOn(srv.port);
    const echo = Buffer.alloc(4);
    echo.writeUInt16LE(4, 0);
    const [r] = await c.compound([{ command: Cmd.ECHO, body: echo, flags: RELATED }]);
    expect(r!.status).toBe(S.INVALID_PARAMETER);
    c.end();
  });

  test('signed compound members are each verified and each answered signed', async () => {
    const c = await loggedOn(srv.port, [0x0311]);
    c.signAll = true;
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('signed.txt', { disposition: 5 }) },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([0, 0]);
    expect(replies.every((r) => (r.flags & 0x8) !== 0)).toBe(true);
    c.end();
  });

  test('a first member marked related leaves no session: the related ones after it fail too (Samba)', async () => {
    const c = await loggedOn(srv.port);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('inv1.txt', { disposition: 3 }), flags: RELATED },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID) },
    ]);
    expect(replies.map((r) => r.status)).toEqual([S.INVALID_PARAMETER, S.INVALID_PARAMETER, S.FILE_CLOSED]);
    c.end();
  });

  test('a related member after one naming an unknown session is INVALID_PARAMETER', async () => {
    const c = await loggedOn(srv.port);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('inv2.txt', { disposition: 3 }) },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), sessionId: 0xffffffffffffffffn },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([
      S.SUCCESS,
      S.SUCCESS,
      S.USER_SESSION_DELETED,
      S.INVALID_PARAMETER,
    ]);
    c.end();
  });

  test('a related FileId of all ones after an unrelated member has nothing to inherit: FILE_CLOSED', async () => {
    const c = await loggedOn(srv.port);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('inv3.txt', { disposition: 3 }) },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID) },
      { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([S.SUCCESS, S.FILE_CLOSED, S.FILE_CLOSED]);
    await c.close(Buffer.from(replies[0]!.body.subarray(64, 80)));
    c.end();
  });

  test('a request that would go async in the middle of a compound is INTERNAL_ERROR and never answered later', async () => {
    const c = await loggedOn(srv.port);
    const replies = await c.compound([
      { command: Cmd.CREATE, body: createBody('', { access: 0x81, options: 1 }) },
      { command: 0x0f /* CHANGE_NOTIFY */, body: notifyBody(CHAINED_FILE_ID), flags: RELATED },
      { command: Cmd.QUERY_INFO, body: basicInfoBody(CHAINED_FILE_ID), flags: RELATED },
    ]);
    expect(replies.map((r) => r.status)).toEqual([S.SUCCESS, S.INTERNAL_ERROR, S.SUCCESS]);
    await c.close(Buffer.from(replies[0]!.body.subarray(64, 80)));
    // Closing the directory would complete a parked notify (NOTIFY_CLEANUP): none was left.
    await expect(c.nextFrame(300)).rejects.toThrow('no SMB2 frame');
    c.end();
  });

  test('CREATE + FSCTL_CREATE_OR_GET_OBJECT_ID + CLOSE related (compound.related3): one stable 64-byte id', async () => {
    const c = await loggedOn(srv.port);
    const chain = () =>
      c.compound([
        { command: Cmd.CREATE, body: createBody('objid.txt', { disposition: 3 }) },
        { command: Cmd.IOCTL, body: objectIdBody(CHAINED_FILE_ID), flags: RELATED },
        { command: Cmd.CLOSE, body: closeBody(CHAINED_FILE_ID), flags: RELATED },
      ]);
    const first = await chain();
    expect(first.map((r) => r.status)).toEqual([0, 0, 0]);
    const out = (r: (typeof first)[number]) => r.body.subarray(112 - 64, 112 - 64 + r.body.readUInt32LE(36));
    expect(out(first[1]!).length).toBe(64);
    expect(out(first[1]!).subarray(32, 48)).toEqual(out(first[1]!).subarray(0, 16));
    expect(out((await chain())[1]!)).toEqual(out(first[1]!));
    // With nothing to inherit (first member), the handle is closed.
    const [r] = await c.compound([{ command: Cmd.IOCTL, body: objectIdBody(CHAINED_FILE_ID) }]);
    expect(r!.status).toBe(S.FILE_CLOSED);
    c.end();
  });
});
