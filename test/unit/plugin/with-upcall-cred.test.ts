import type { Attrs } from '../../../gateway/backend/attrs';
import type { Backend, Cred } from '../../../gateway/backend/backend';
import { withUpcall } from '../../../plugin';
import { createUpcallCore } from '../../../upcall-core';
import { ROOT, tempBackend } from '../../helpers/temp-backend';

/**
 * The plugin is a Backend decorator in the permission chain (nfs procedure → metadata cache →
 * plugin → PosixBackend): the Cred is optional on lookup, read, write, readdir, link, remove,
 * rmdir and rename, and omitting it skips the backend's check — so a decorator that drops it
 * silently turns permission checks off (backend.ts: "decorators must forward it").
 */
let env: Awaited<ReturnType<typeof tempBackend>>;
let seen: { method: string; cred: unknown }[];

function recording(inner: Backend): Backend {
  return new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        seen.push({ method: String(prop), cred: args.find((a) => (a as Cred)?.gids !== undefined) });
        return v.apply(target, args);
      };
    },
  });
}

beforeEach(async () => {
  env = await tempBackend();
  seen = [];
});
afterEach(() => env.close());

test('every call that takes a Cred reaches the backend with it', async () => {
  const core = createUpcallCore<Attrs>({ options: { 'features.cache-invalidation': true } });
  const plugin = withUpcall(recording(env.backend), core, 'head-1/nfs');
  const root = env.backend.rootIno;
  const dir = (await env.backend.mkdir(root, 'd', 0o777, ROOT)).attrs.fileid;
  const f = (await env.backend.create(dir, 'f', { mode: 0o666 }, ROOT)).attrs.fileid;
  const me: Cred = { uid: 1000, gid: 1000, gids: [1000] };
  await plugin.lookup(dir, 'f', me);
  await plugin.read(f, 0, 10, me);
  await plugin.write(f, 0, Buffer.from('x'), 'file-sync', me);
  await plugin.readdir(dir, 0n, 100, true, me);
  await plugin.link(f, dir, 'g', me);
  await plugin.rename(dir, 'g', dir, 'h', me);
  await plugin.remove(dir, 'h', me);
  await plugin.mkdir(dir, 'sub', 0o755, me);
  await plugin.rmdir(dir, 'sub', me);
  core.close();
  const wanted = ['lookup', 'read', 'write', 'readdir', 'link', 'rename', 'remove', 'rmdir'];
  const calls = seen.filter((s) => wanted.includes(s.method));
  expect(new Set(calls.map((s) => s.method))).toEqual(new Set(wanted));
  for (const s of calls) expect([s.method, s.cred]).toEqual([s.method, me]);
});
