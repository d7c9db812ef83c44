/**
 * Case-insensitive name lookup on a miss (MS-FSCC §2.1.5.1: Windows names compare without
 * case; clients open `FOO.txt` expecting `foo.txt`). The exact name is always tried first by
 * the caller; only when it is absent is the entry equal to it ignoring case (Unicode simple
 * lower-casing) looked for.
 *
 * Listing a directory on every miss would make filling a directory quadratic (every new file is
 * a miss: smbtorture's 5000-file compound_find_close took minutes). So each directory gets an
 * index of lower-cased names, rebuilt only when the directory's ctime moved AND the index is
 * older than REBUILD_MS. The price: a name made under another case less than REBUILD_MS ago may
 * not be found by its case variant yet (the exact name always is). A hit is checked with a real
 * lookup (a stale entry counts as a miss). Directories above MAX_ENTRIES are not indexed (a miss
 * stays a miss); at most MAX_DIRS indexes are kept per backend, the oldest dropped first.
 */
import type { Attrs, Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import { BackendError } from '../backend/errors';

const PAGE = 1024;
const MAX_ENTRIES = 65536;
const MAX_DIRS = 256;
const REBUILD_MS = 1000;

interface NameIndex {
  readonly builtAt: number;
  readonly ctime: string;
  /** Lower-cased name → the name on disk; undefined when the directory was too big to index. */
  readonly names: Map<string, string> | undefined;
}

const perBackend = new WeakMap<Backend, Map<Ino, NameIndex>>();

function stampOf(a: Attrs): string {
  return `${a.ctime.sec}.${a.ctime.nsec}`;
}

async function build(backend: Backend, dir: Ino, cred: Cred, stamp: string): Promise<NameIndex | undefined> {
  const names = new Map<string, string>();
  let cookie = 0n;
  for (;;) {
    let page: Awaited<ReturnType<Backend['readdir']>>;
    try {
      page = await backend.readdir(dir, cookie, PAGE, false, cred);
    } catch (err) {
      if (err instanceof BackendError && (err.code === 'EACCES' || err.code === 'EPERM')) return undefined;
      throw err;
    }
    for (const e of page.entries) {
      if (e.name === '.' || e.name === '..') continue;
      const lower = e.name.toLowerCase();
      if (!names.has(lower)) names.set(lower, e.name);
    }
    if (names.size > MAX_ENTRIES) return { builtAt: Date.now(), ctime: stamp, names: undefined };
    if (page.eof || page.entries.length === 0) return { builtAt: Date.now(), ctime: stamp, names };
    cookie = page.entries.at(-1)!.cookie;
  }
}

async function indexOf(backend: Backend, dir: Ino, cred: Cred): Promise<NameIndex | undefined> {
  let dirs = perBackend.get(backend);
  if (!dirs) {
    dirs = new Map();
    perBackend.set(backend, dirs);
  }
  const stamp = stampOf(await backend.getattr(dir));
  const have = dirs.get(dir);
  if (have && (have.ctime === stamp || Date.now() - have.builtAt < REBUILD_MS)) return have;
  const fresh = await build(backend, dir, cred, stamp);
  if (!fresh) return undefined;
  dirs.delete(dir);
  dirs.set(dir, fresh);
  if (dirs.size > MAX_DIRS) dirs.delete(dirs.keys().next().value as Ino);
  return fresh;
}

/** The entry of `dir` whose name equals `name` ignoring case, with its real name; else undefined. */
export async function lookupIgnoringCase(
  backend: Backend,
  dir: Ino,
  name: string,
  cred: Cred,
): Promise<{ attrs: Attrs; name: string } | undefined> {
  const real = (await indexOf(backend, dir, cred))?.names?.get(name.toLowerCase());
  if (real === undefined || real === name) return undefined;
  try {
    return { attrs: await backend.lookup(dir, real, cred), name: real };
  } catch (err) {
    if (err instanceof BackendError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}
