/**
 * LOCK (MS-SMB2 §3.3.5.14) with the raw client: two opens of one file, shared and exclusive
 * ranges, conflicts (STATUS_LOCK_NOT_GRANTED), all-or-nothing multi-element requests, unlock
 * (and STATUS_RANGE_NOT_LOCKED), bad flags, and locks dropped when their open closes.
 */
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import {
  Cmd,
  closeBody,
  loggedOn,
  readBody,
  type Smb2TestClient,
  writeBody,
} from '../../../../helpers/smb2-client';
import { ASYNC_FLAG, asyncIdOf, cancelAsync, nextReply } from '../../../../helpers/smb2-notify';

const PENDING = 0x103;
const CANCELLED = 0xc0000120;

const SHARED = 0x1;
const EXCLUSIVE = 0x2;
const UNLOCK = 0x4;
const FAIL = 0x10;
const S = {
  SUCCESS: 0,
  INVALID_PARAMETER: 0xc000000d,
  LOCK_NOT_GRANTED: 0xc0000055,
  RANGE_NOT_LOCKED: 0xc000007e,
  INVALID_LOCK_RANGE: 0xc00001a1,
  FILE_LOCK_CONFLICT: 0xc0000054,
};

type El = [offset: bigint, length: bigint, flags: number];

function lockBody(fileId: Buffer, els: El[]): Buffer {
  const b = Buffer.alloc(24 + 24 * els.length);
  b.writeUInt16LE(48, 0);
  b.writeUInt16LE(els.length, 2);
  fileId.copy(b, 8);
  els.forEach(([off, len, flags], i) => {
    b.writeBigUInt64LE(off, 24 + 24 * i);
    b.writeBigUInt64LE(len, 32 + 24 * i);
    b.writeUInt32LE(flags, 40 + 24 * i);
  });
  return b;
}

describe('LOCK', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  let a: Buffer;
  let b: Buffer;
  const lock = async (fid: Buffer, ...els: El[]) => (await c.send(Cmd.LOCK, lockBody(fid, els))).status;

  beforeAll(async () => {
    srv = await startTestSmbServer();
    c = await loggedOn(srv.port, [0x0302]);
    a = (await c.create('locked', { disposition: 5 })).fileId;
    b = (await c.create('locked')).fileId;
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('exclusive on A blocks B (and A itself) on an overlapping range, not elsewhere', async () => {
    expect(await lock(a, [0n, 100n, EXCLUSIVE | FAIL])).toBe(S.SUCCESS);
    expect(await lock(b, [50n, 10n, SHARED | FAIL])).toBe(S.LOCK_NOT_GRANTED);
    expect(await lock(a, [99n, 1n, EXCLUSIVE | FAIL])).toBe(S.LOCK_NOT_GRANTED);
    expect(await lock(b, [100n, 10n, EXCLUSIVE | FAIL])).toBe(S.SUCCESS);
    expect(await lock(b, [100n, 10n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 100n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(b, [50n, 10n, EXCLUSIVE])).toBe(S.SUCCESS);
    expect(await lock(b, [50n, 10n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('shared locks coexist; an exclusive one over them is refused', async () => {
    expect(await lock(a, [0n, 10n, SHARED])).toBe(S.SUCCESS);
    expect(await lock(b, [5n, 10n, SHARED])).toBe(S.SUCCESS);
    expect(await lock(b, [0n, 1n, EXCLUSIVE | FAIL])).toBe(S.LOCK_NOT_GRANTED);
    expect(await lock(a, [0n, 10n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(b, [5n, 10n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('a multi-element request succeeds or fails as a whole', async () => {
    expect(await lock(b, [1000n, 1n, EXCLUSIVE | FAIL])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 10n, EXCLUSIVE | FAIL], [1000n, 1n, EXCLUSIVE | FAIL])).toBe(
      S.LOCK_NOT_GRANTED,
    );
    // The first element was given back: B can take it.
    expect(await lock(b, [0n, 10n, EXCLUSIVE | FAIL])).toBe(S.SUCCESS);
    expect(await lock(b, [0n, 10n, UNLOCK], [1000n, 1n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('unlock of a range not locked by this open: STATUS_RANGE_NOT_LOCKED', async () => {
    expect(await lock(a, [0n, 10n, SHARED])).toBe(S.SUCCESS);
    expect(await lock(b, [0n, 10n, UNLOCK])).toBe(S.RANGE_NOT_LOCKED);
    expect(await lock(a, [0n, 5n, UNLOCK])).toBe(S.RANGE_NOT_LOCKED);
    expect(await lock(a, [0n, 10n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 10n, UNLOCK])).toBe(S.RANGE_NOT_LOCKED);
  });

  test('bad flags, mixed unlock, several blocking locks, wrapping range: refused', async () => {
    expect(await lock(a, [0n, 1n, SHARED | EXCLUSIVE])).toBe(S.INVALID_PARAMETER);
    expect(await lock(a, [0n, 1n, 0])).toBe(S.INVALID_PARAMETER);
    // Unlock elements are taken in order: the first one's missing range is reported first.
    expect(await lock(a, [0n, 1n, UNLOCK], [5n, 1n, SHARED])).toBe(S.RANGE_NOT_LOCKED);
    expect(await lock(a, [0n, 1n, UNLOCK | FAIL])).toBe(S.INVALID_PARAMETER);
    expect(await lock(a, [0n, 1n, SHARED], [5n, 1n, SHARED])).toBe(S.INVALID_PARAMETER);
    expect(await lock(a, [0xffffffffffffffffn, 2n, SHARED | FAIL])).toBe(S.INVALID_LOCK_RANGE);
  });

  test('READ and WRITE through a lock of another open: STATUS_FILE_LOCK_CONFLICT', async () => {
    expect((await c.send(Cmd.WRITE, writeBody(a, Buffer.alloc(64, 1)))).status).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, SHARED])).toBe(S.SUCCESS);
    expect((await c.send(Cmd.READ, readBody(b, 16))).status).toBe(S.SUCCESS);
    expect((await c.send(Cmd.WRITE, writeBody(b, Buffer.alloc(4), 6n))).status).toBe(S.FILE_LOCK_CONFLICT);
    expect((await c.send(Cmd.WRITE, writeBody(b, Buffer.alloc(4), 8n))).status).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, EXCLUSIVE])).toBe(S.SUCCESS);
    expect((await c.send(Cmd.READ, readBody(b, 16))).status).toBe(S.FILE_LOCK_CONFLICT);
    expect((await c.send(Cmd.READ, readBody(a, 16))).status).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('an open stacks a shared lock inside its own exclusive one; its own shared lock blocks its writes', async () => {
    expect(await lock(a, [300n, 10n, EXCLUSIVE])).toBe(S.SUCCESS);
    expect(await lock(a, [300n, 10n, SHARED])).toBe(S.SUCCESS);
    expect(await lock(b, [300n, 10n, SHARED | FAIL])).toBe(S.LOCK_NOT_GRANTED);
    expect(await lock(a, [300n, 10n, UNLOCK], [300n, 10n, UNLOCK])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, SHARED])).toBe(S.SUCCESS);
    expect((await c.send(Cmd.WRITE, writeBody(a, Buffer.alloc(4)))).status).toBe(S.FILE_LOCK_CONFLICT);
    expect((await c.send(Cmd.READ, readBody(a, 4))).status).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 8n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('a blocking lock waits (STATUS_PENDING), and is granted when the range is unlocked', async () => {
    expect(await lock(a, [500n, 10n, EXCLUSIVE])).toBe(S.SUCCESS);
    const interim = await c.send(Cmd.LOCK, lockBody(b, [[500n, 10n, EXCLUSIVE]]));
    expect(interim.status).toBe(PENDING);
    expect(interim.flags & ASYNC_FLAG).toBe(ASYNC_FLAG);
    c.sendFrame(c.message({ command: Cmd.LOCK, body: lockBody(a, [[500n, 10n, UNLOCK]]) }));
    const two = [await nextReply(c), await nextReply(c)];
    const granted = two.find((r) => (r.flags & ASYNC_FLAG) !== 0)!;
    expect(granted.status).toBe(S.SUCCESS);
    expect(asyncIdOf(granted)).toBe(asyncIdOf(interim));
    expect(two.find((r) => r !== granted)!.status).toBe(S.SUCCESS);
    expect(await lock(b, [500n, 10n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('a waiting lock: CANCEL → STATUS_CANCELLED; its open closed → STATUS_RANGE_NOT_LOCKED', async () => {
    expect(await lock(a, [600n, 10n, EXCLUSIVE])).toBe(S.SUCCESS);
    const interim = await c.send(Cmd.LOCK, lockBody(b, [[600n, 10n, SHARED]]));
    expect(interim.status).toBe(PENDING);
    cancelAsync(c, asyncIdOf(interim), interim.messageId);
    expect((await nextReply(c)).status).toBe(CANCELLED);
    const t = (await c.create('locked')).fileId;
    expect((await c.send(Cmd.LOCK, lockBody(t, [[600n, 10n, SHARED]]))).status).toBe(PENDING);
    c.sendFrame(c.message({ command: Cmd.CLOSE, body: closeBody(t) }));
    const two = [await nextReply(c), await nextReply(c)];
    expect(two.map((r) => r.status).sort()).toEqual([S.SUCCESS, S.RANGE_NOT_LOCKED]);
    expect(await lock(a, [600n, 10n, UNLOCK])).toBe(S.SUCCESS);
  });

  test('closing an open drops its locks', async () => {
    const t = (await c.create('locked')).fileId;
    expect(await lock(t, [0n, 10n, EXCLUSIVE])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 10n, SHARED | FAIL])).toBe(S.LOCK_NOT_GRANTED);
    expect((await c.close(t)).status).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 10n, SHARED | FAIL])).toBe(S.SUCCESS);
    expect(await lock(a, [0n, 10n, UNLOCK])).toBe(S.SUCCESS);
  });
});
