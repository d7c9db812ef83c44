import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WATCH_SOURCES, WatchSwitch } from '../../../../adapters/watcher/watch-switch';

async function until(probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(WATCH_SOURCES)('WatchSwitch: the inotify watch only while wanted (source %s)', (source) => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'watch-switch-'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  test('off, then on: watching again, `resumed` told, events flow; off: none', async () => {
    let resumed = 0;
    const seen: string[] = [];
    const w = new WatchSwitch({
      source,
      root: base,
      events: (evs) => seen.push(...evs.map((e) => e.path)),
      error: (err) => {
        throw err;
      },
      resumed: () => resumed++,
    });
    await w.start();
    expect(resumed).toBe(0); // the first watch is no resumption
    await w.set(false);
    expect(w.watching).toBe(false);
    await w.set(true);
    expect(w.watching).toBe(true);
    expect(resumed).toBe(1);
    await writeFile(join(base, 'f'), 'x');
    await until(() => seen.includes(join(base, 'f')));
    await w.close();
    expect(w.watching).toBe(false);
  });

  test('a failed resubscribe is reported and tried again until it holds', async () => {
    const root = join(base, 'later');
    const errors: unknown[] = [];
    let resumed = 0;
    const w = new WatchSwitch({
      source,
      root,
      events: () => {},
      error: (err) => errors.push(err),
      resumed: () => resumed++,
      retryMs: 20,
    });
    await w.set(true); // the root does not exist yet
    expect(errors.length).toBe(1);
    expect(w.watching).toBe(false);
    await mkdir(root);
    await until(() => w.watching);
    expect(resumed).toBe(1);
    await w.close();
  });
});
