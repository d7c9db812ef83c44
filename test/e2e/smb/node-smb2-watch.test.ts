/**
 * A third-party client's watch: `node-smb2` 1.3.5 (NTLMv2 forced, SMB 2.x) watches the share
 * root with `tree.watch()` — CHANGE_NOTIFY with async interim responses, re-issued after each
 * completion — and sees a file created through NFS (an upcall) as an ADDED record.
 */
import smb2 from 'node-smb2';
import { startTestHead, type TestHead } from '../../helpers/e2e-head';
import { libnfsTool, libnfsToolBuildable } from '../../helpers/libnfs-tool';
import { describePeer } from '../../helpers/peers';
import { waitFor } from '../../helpers/wait-for';

jest.setTimeout(60_000);

describePeer(
  'node-smb2 tree.watch()',
  'libnfs (built from test/helpers/libnfs-tool.c)',
  libnfsToolBuildable,
  () => {
    let head: TestHead;

    beforeAll(async () => {
      head = await startTestHead({
        smbPort: 0,
        smbUsers: [{ user: 'alice', password: 'secret' }],
        upcall: { 'features.cache-invalidation': true },
      });
    });
    afterAll(async () => {
      await head?.close();
    });

    test('sees an NFS-side create', async () => {
      const client = new smb2.Client('127.0.0.1', { port: head.head.smb!.port });
      try {
        const session = await client.authenticate({
          domain: '',
          username: 'alice',
          password: 'secret',
          forceNtlmVersion: 'v2',
        });
        const tree = await session.connectTree('share');
        const seen: unknown[] = [];
        const stop = await tree.watch((r) => {
          seen.push(r.data ?? r.body);
        });
        await libnfsTool(head.url).creat('/watched.txt', 0o666);
        await waitFor(() => seen.length > 0, 'a change notification', 10_000);
        expect(JSON.stringify(seen)).toContain('watched.txt');
        await stop();
      } finally {
        await client.close();
      }
    });
  },
);
