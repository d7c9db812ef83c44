/**
 * CREATE (MS-SMB2 §3.3.5.9): dispositions and their CreateAction, DIRECTORY_FILE and
 * NON_DIRECTORY_FILE, DELETE_ON_CLOSE, share modes, access checks — against files on disk.
 */
import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestSmbServer, type TestSmbServer } from '../../../../helpers/smb-server';
import { loggedOn, type Smb2TestClient } from '../../../../helpers/smb2-client';

const D = { SUPERSEDE: 0, OPEN: 1, CREATE: 2, OPEN_IF: 3, OVERWRITE: 4, OVERWRITE_IF: 5 };
const A = { SUPERSEDED: 0, OPENED: 1, CREATED: 2, OVERWRITTEN: 3 };
const O = { DIRECTORY: 0x1, NON_DIRECTORY: 0x40, DELETE_ON_CLOSE: 0x1000 };
const S = {
  SUCCESS: 0,
  NOT_FOUND: 0xc0000034,
  COLLISION: 0xc0000035,
  PATH_NOT_FOUND: 0xc000003a,
  NOT_A_DIRECTORY: 0xc0000103,
  IS_A_DIRECTORY: 0xc00000ba,
  INVALID_PARAMETER: 0xc000000d,
  ACCESS_DENIED: 0xc0000022,
  SHARING_VIOLATION: 0xc0000043,
  DELETE_PENDING: 0xc0000056,
};
const DELETE = 0x10000;
const READ = 0x1;
const WRITE = 0x2;

describe('CREATE', () => {
  let srv: TestSmbServer;
  let c: Smb2TestClient;
  const action = (r: { body: Buffer }) => r.body.readUInt32LE(4);
  beforeAll(async () => {
    srv = await startTestSmbServer();
    c = await loggedOn(srv.port, [0x0302]);
  });
  afterAll(async () => {
    c.end();
    await srv.close();
  });

  test('each disposition on a missing and on an existing file', async () => {
    const cases: [number, number | 'fail', number | 'fail'][] = [
      // disposition, missing → action or failure, existing → action or failure
      [D.OPEN, 'fail', A.OPENED],
      [D.CREATE, A.CREATED, 'fail'],
      [D.OPEN_IF, A.CREATED, A.OPENED],
      [D.OVERWRITE, 'fail', A.OVERWRITTEN],
      [D.OVERWRITE_IF, A.CREATED, A.OVERWRITTEN],
      [D.SUPERSEDE, A.CREATED, A.SUPERSEDED],
    ];
    for (const [disp, missing, existing] of cases) {
      const name = `disp-${disp}`;
      const m = await c.create(name, { disposition: disp });
      if (missing === 'fail') expect(m.r.status).toBe(S.NOT_FOUND);
      else {
        expect([disp, action(m.r)]).toEqual([disp, missing]);
        await c.close(m.fileId);
      }
      await writeFile(join(srv.dir, name), 'content');
      await chmod(join(srv.dir, name), 0o666);
      const e = await c.create(name, { disposition: disp });
      if (existing === 'fail') expect(e.r.status).toBe(S.COLLISION);
      else {
        expect([disp, action(e.r)]).toEqual([disp, existing]);
        await c.close(e.fileId);
        const overwritten = existing === A.OVERWRITTEN || existing === A.SUPERSEDED;
        expect((await stat(join(srv.dir, name))).size).toBe(overwritten ? 0 : 7);
      }
    }
  });

  test('DIRECTORY_FILE makes and opens directories; NON_DIRECTORY_FILE refuses them', async () => {
    const made = await c.create('newdir', { disposition: D.CREATE, options: O.DIRECTORY });
    expect(made.r.status).toBe(S.SUCCESS);
    expect(made.r.body.readUInt32LE(56) & 0x10).toBe(0x10);
    await c.close(made.fileId);
    expect((await stat(join(srv.dir, 'newdir'))).isDirectory()).toBe(true);
    expect((await c.create('newdir', { options: O.NON_DIRECTORY })).r.status).toBe(S.IS_A_DIRECTORY);
    await writeFile(join(srv.dir, 'plain'), 'x');
    expect((await c.create('plain', { options: O.DIRECTORY })).r.status).toBe(S.NOT_A_DIRECTORY);
    expect((await c.create('x', { options: O.DIRECTORY | O.NON_DIRECTORY })).r.status).toBe(
      S.INVALID_PARAMETER,
    );
    expect((await c.create('x', { options: O.DIRECTORY, disposition: D.OVERWRITE_IF })).r.status).toBe(
      S.INVALID_PARAMETER,
    );
  });

  test('a missing directory on the way is STATUS_OBJECT_PATH_NOT_FOUND; a file on the way too', async () => {
    expect((await c.create('no\\such\\file', { disposition: D.OPEN_IF })).r.status).toBe(S.PATH_NOT_FOUND);
    await writeFile(join(srv.dir, 'afile'), 'x');
    expect((await c.create('afile\\below', { disposition: D.OPEN_IF })).r.status).toBe(S.PATH_NOT_FOUND);
  });

  test('a symlink is never followed, even one pointing inside the share', async () => {
    await mkdir(join(srv.dir, 'real'));
    await writeFile(join(srv.dir, 'real', 'f'), 'x');
    await symlink('/etc', join(srv.dir, 'out'));
    await symlink('real', join(srv.dir, 'in'));
    expect((await c.create('out\\passwd')).r.status).toBe(S.PATH_NOT_FOUND);
    expect((await c.create('in\\f')).r.status).toBe(S.PATH_NOT_FOUND);
    expect((await c.create('out')).r.status).toBe(S.ACCESS_DENIED);
  });

  test('DELETE_ON_CLOSE removes the file at its last close; it needs DELETE access', async () => {
    await writeFile(join(srv.dir, 'doomed'), 'x');
    expect((await c.create('doomed', { access: READ, options: O.DELETE_ON_CLOSE })).r.status).toBe(
      S.ACCESS_DENIED,
    );
    const first = await c.create('doomed', { access: READ, share: 7 });
    const del = await c.create('doomed', { access: DELETE, share: 7, options: O.DELETE_ON_CLOSE });
    expect(del.r.status).toBe(S.SUCCESS);
    await c.close(del.fileId);
    // Delete pending: the name is still there while the first handle is open, and new opens fail.
    await stat(join(srv.dir, 'doomed'));
    expect((await c.create('doomed')).r.status).toBe(S.DELETE_PENDING);
    await c.close(first.fileId);
    await expect(stat(join(srv.dir, 'doomed'))).rejects.toThrow();
  });

  test('share modes: a writer without FILE_SHARE_WRITE blocks a second writer', async () => {
    await writeFile(join(srv.dir, 'shared'), 'x');
    await chmod(join(srv.dir, 'shared'), 0o666);
    const a = await c.create('shared', { access: READ | WRITE, share: 1 });
    expect((await c.create('shared', { access: WRITE, share: 7 })).r.status).toBe(S.SHARING_VIOLATION);
    const reader = await c.create('shared', { access: READ, share: 7 });
    expect(reader.r.status).toBe(S.SUCCESS);
    await c.close(reader.fileId);
    await c.close(a.fileId);
    const b = await c.create('shared', { access: WRITE, share: 7 });
    expect(b.r.status).toBe(S.SUCCESS);
    await c.close(b.fileId);
  });

  test('access beyond the POSIX permissions is STATUS_ACCESS_DENIED (the user works as nobody)', async () => {
    await writeFile(join(srv.dir, 'root-only'), 'secret', { mode: 0o600 });
    expect((await c.create('root-only', { access: READ })).r.status).toBe(S.ACCESS_DENIED);
    expect((await c.create('root-only', { access: 0x80 })).r.status).toBe(S.SUCCESS); // attributes only
    expect(await readFile(join(srv.dir, 'root-only'), 'utf8')).toBe('secret');
  });
});
