/**
 * CHANGE_NOTIFY (MS-SMB2 §3.3.5.19) with the raw client: interim STATUS_PENDING in the async
 * form, completion with FILE_NOTIFY_INFORMATION, queued changes answered at once, CompletionFilter,
 * WATCH_TREE below an open subdirectory, overflow and small buffers (NOTIFY_ENUM_DIR), CANCEL
 * (CANCELLED), CLOSE and TREE_DISCONNECT (NOTIFY_CLEANUP). Changes are reported to the table
 * directly here; the upcall and SMB-side feeds are covered in test/e2e/smb.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignature } from '../../../../../gateway/smb/crypto';
import { NotifyAction, NotifyFilter } from '../../../../../gateway/smb/notify-records';
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import { Cmd, loggedOn, type Smb2TestClient } from '../../../../helpers/smb2-client';
import {
  ASYNC_FLAG,
  asyncIdOf,
  CHANGE_NOTIFY,
  cancelAsync,
  changeNotify,
  nextReply,
  parseNotify,
  STATUS,
} from '../../../../helpers/smb2-notify';

const DIRECTORY_FILE = 0x1;
const NAME = NotifyFilter.FILE_NAME | NotifyFilter.DIR_NAME;

describe('CHANGE_NOTIFY', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  let rootIno: bigint;
  const openDir = async (name = '') => {
    const { r, fileId } = await c.create(name, { options: DIRECTORY_FILE });
    expect(r.status).toBe(0);
    return fileId;
  };
  const added = (name: string, filter = NAME) => ({ action: NotifyAction.ADDED, name, filter });

  beforeAll(async () => {
    srv = await startTestSmbServer();
    c = await loggedOn(srv.port, [0x0210]);
    rootIno = (await stat(srv.dir, { bigint: true })).ino;
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('interim STATUS_PENDING (async form, AsyncId, a credit), then the records under that AsyncId', async () => {
    const dir = await openDir();
    const interim = await changeNotify(c, dir);
    expect(interim.status).toBe(STATUS.PENDING);
    expect(interim.flags & ASYNC_FLAG).toBe(ASYNC_FLAG);
    expect(interim.credits).toBeGreaterThanOrEqual(1);
    const asyncId = asyncIdOf(interim);
    expect(asyncId).not.toBe(0n);
    srv.server.context.notify.report(rootIno, [
      added('a.txt'),
      { action: NotifyAction.RENAMED_OLD_NAME, name: 'b', filter: NAME },
      { action: NotifyAction.RENAMED_NEW_NAME, name: 'ccccc', filter: NAME },
    ]);
    const done = await nextReply(c);
    expect(done.status).toBe(0);
    expect(done.command).toBe(CHANGE_NOTIFY);
    expect(done.messageId).toBe(interim.messageId);
    expect(asyncIdOf(done)).toBe(asyncId);
    expect(done.credits).toBe(0);
    expect(parseNotify(done.body)).toEqual([
      { action: NotifyAction.ADDED, name: 'a.txt' },
      { action: NotifyAction.RENAMED_OLD_NAME, name: 'b' },
      { action: NotifyAction.RENAMED_NEW_NAME, name: 'ccccc' },
    ]);
    // Changes between requests are kept: the next request is answered at once.
    srv.server.context.notify.report(rootIno, [added('later')]);
    const now = await changeNotify(c, dir);
    expect(now.status).toBe(0);
    expect(parseNotify(now.body)).toEqual([{ action: NotifyAction.ADDED, name: 'later' }]);
    expect((await c.close(dir)).status).toBe(0);
  });

  test('an echo (the same add or remove again, e.g. from the backend watcher) is dropped', async () => {
    const dir = await openDir();
    expect((await changeNotify(c, dir)).status).toBe(STATUS.PENDING);
    const n = srv.server.context.notify;
    n.report(rootIno, [added('echo')]);
    n.report(rootIno, [added('echo')]);
    n.report(rootIno, [{ action: NotifyAction.REMOVED, name: 'echo', filter: NAME }]);
    n.report(rootIno, [{ action: NotifyAction.REMOVED, name: 'echo', filter: NAME }]);
    n.report(rootIno, [added('echo')]);
    expect(parseNotify((await nextReply(c)).body).map((e) => e.action)).toEqual([
      NotifyAction.ADDED,
      NotifyAction.REMOVED,
      NotifyAction.ADDED,
    ]);
    await c.close(dir);
  });

  test('CompletionFilter: a size change is not reported to a name-only watch', async () => {
    const dir = await openDir();
    const interim = await changeNotify(c, dir, { filter: NotifyFilter.FILE_NAME });
    expect(interim.status).toBe(STATUS.PENDING);
    srv.server.context.notify.report(rootIno, [
      { action: NotifyAction.MODIFIED, name: 'x', filter: NotifyFilter.SIZE },
    ]);
    srv.server.context.notify.report(rootIno, [added('y', NotifyFilter.FILE_NAME)]);
    expect(parseNotify((await nextReply(c)).body)).toEqual([{ action: NotifyAction.ADDED, name: 'y' }]);
    await c.close(dir);
  });

  test('WATCH_TREE: a change in an open subdirectory comes with its relative path', async () => {
    await mkdir(join(srv.dir, 'sub'), { mode: 0o777 });
    await chmod(join(srv.dir, 'sub'), 0o777);
    const root = await openDir();
    const sub = await openDir('sub');
    const subIno = (await stat(join(srv.dir, 'sub'), { bigint: true })).ino;
    expect((await changeNotify(c, root, { tree: true })).status).toBe(STATUS.PENDING);
    srv.server.context.notify.report(subIno, [added('deep')]);
    expect(parseNotify((await nextReply(c)).body)).toEqual([
      { action: NotifyAction.ADDED, name: 'sub\\deep' },
    ]);
    await c.close(sub);
    await c.close(root);
  });

  test('records larger than OutputBufferLength, or too many queued → STATUS_NOTIFY_ENUM_DIR', async () => {
    const dir = await openDir();
    expect((await changeNotify(c, dir, { outputLength: 16 })).status).toBe(STATUS.PENDING);
    srv.server.context.notify.report(rootIno, [added('a-name-too-long-for-16-bytes')]);
    const r = await nextReply(c);
    expect(r.status).toBe(STATUS.NOTIFY_ENUM_DIR);
    expect(r.body.readUInt32LE(4)).toBe(0);
    const many = Array.from({ length: 300 }, (_, i) => added(`f${i}`));
    srv.server.context.notify.report(rootIno, many);
    expect((await changeNotify(c, dir)).status).toBe(STATUS.NOTIFY_ENUM_DIR);
    await c.close(dir);
  });

  test('CANCEL by AsyncId → STATUS_CANCELLED', async () => {
    const dir = await openDir();
    const interim = await changeNotify(c, dir);
    cancelAsync(c, asyncIdOf(interim), interim.messageId);
    const r = await nextReply(c);
    expect(r.status).toBe(STATUS.CANCELLED);
    expect(asyncIdOf(r)).toBe(asyncIdOf(interim));
    await c.close(dir);
  });

  test('CLOSE of the directory → STATUS_NOTIFY_CLEANUP, then the CLOSE response', async () => {
    const dir = await openDir();
    const interim = await changeNotify(c, dir);
    const closed = await c.close(dir);
    expect(closed.command).toBe(CHANGE_NOTIFY);
    expect(closed.status).toBe(STATUS.NOTIFY_CLEANUP);
    expect(asyncIdOf(closed)).toBe(asyncIdOf(interim));
    const closeReply = await nextReply(c);
    expect(closeReply.command).toBe(Cmd.CLOSE);
    expect(closeReply.status).toBe(0);
    expect(srv.server.context.notify.size).toBe(0);
  });

  test('TREE_DISCONNECT completes the pending request with STATUS_NOTIFY_CLEANUP', async () => {
    const c2 = await loggedOn(srv.port, [0x0302]);
    const { fileId } = await c2.create('', { options: DIRECTORY_FILE });
    expect((await changeNotify(c2, fileId)).status).toBe(STATUS.PENDING);
    const body = Buffer.alloc(4);
    body.writeUInt16LE(4, 0);
    const first = await c2.send(Cmd.TREE_DISCONNECT, body);
    expect(first.status).toBe(STATUS.NOTIFY_CLEANUP);
    expect((await nextReply(c2)).command).toBe(Cmd.TREE_DISCONNECT);
    c2.end();
  });

  test('a signing session: the interim response unsigned, the async completion signed', async () => {
    const s = await loggedOn(srv.port, [0x0311]);
    s.signAll = true;
    const { fileId } = await s.create('', { options: DIRECTORY_FILE });
    const interim = await changeNotify(s, fileId);
    expect(interim.status).toBe(STATUS.PENDING);
    expect(interim.flags & 0x8).toBe(0);
    srv.server.context.notify.report(rootIno, [added('signed')]);
    const done = await nextReply(s);
    expect(done.flags & 0x8).toBe(0x8);
    expect(verifySignature(Buffer.from(done.raw), s.signingKey!, s.signingAlgorithm)).toBe(true);
    expect(parseNotify(done.body)).toEqual([{ action: NotifyAction.ADDED, name: 'signed' }]);
    s.end();
  });

  test('LOGOFF completes the pending request with STATUS_NOTIFY_CLEANUP', async () => {
    const s = await loggedOn(srv.port, [0x0210]);
    const { fileId } = await s.create('', { options: DIRECTORY_FILE });
    expect((await changeNotify(s, fileId)).status).toBe(STATUS.PENDING);
    const body = Buffer.alloc(4);
    body.writeUInt16LE(4, 0);
    const first = await s.send(Cmd.LOGOFF, body);
    expect(first.status).toBe(STATUS.NOTIFY_CLEANUP);
    expect((await nextReply(s)).command).toBe(Cmd.LOGOFF);
    s.end();
  });

  test('on a file: STATUS_INVALID_PARAMETER', async () => {
    const { fileId } = await c.create('plain', { disposition: 5 });
    expect((await changeNotify(c, fileId)).status).toBe(0xc000000d);
    await c.close(fileId);
  });

  test('connection loss forgets the watch', async () => {
    const c3 = await loggedOn(srv.port, [0x0210]);
    const { fileId } = await c3.create('', { options: DIRECTORY_FILE });
    expect((await changeNotify(c3, fileId)).status).toBe(STATUS.PENDING);
    const before = srv.server.context.notify.size;
    c3.end();
    for (let i = 0; i < 50 && srv.server.context.notify.size >= before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(srv.server.context.notify.size).toBe(before - 1);
  });
});
