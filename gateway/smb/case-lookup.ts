/**
 * Case-insensitive name lookup on a miss (MS-FSCC §2.1.5.1: Windows names compare without
 * case; clients open `FOO.txt` expecting `foo.txt`). The exact name is always tried first by
 * the caller; only when it is absent is the directory searched for an entry equal to it
 * ignoring case (Unicode simple lower-casing). Samba does the same search for case-sensitive
 * file systems.
 *
 * Every new name a client creates is such a miss, so a directory filled by one client (5,000
 * creates in smbtorture's compound_find) would be listed 5,000 times. Each directory's folded
 * names are therefore kept (FoldedNames) with the directory's size, mtime and ctime when they
 * were read: a later miss answers from them while the directory still shows those times. A
 * change made elsewhere moves the times (the upcall evicts the cached attributes, so the next
 * getattr sees them) and the names are read again; a create of our own whose pre-op times
 * match the kept ones adds its name and moves the kept times on (noteCreated), so one client
 * filling a directory costs one listing. A directory past MAX_SCAN entries is not kept: its
 * misses scan that many entries and then stay misses. Limit: file times move in clock ticks of
 * a few ms, so a name made elsewhere in the same tick as our last listing or create is missed
 * until the directory changes again (NFSv3's change detection has the same blind spot).
 */
import type { Attrs, Ino, WccAttr } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import { BackendError } from '../backend/errors';

const PAGE = 512;
const MAX_SCAN = 16384;
/** Directories whose folded names are kept, per backend (oldest dropped first). */
const MAX_DIRS = 256;

interface FoldedDir {
  /** The directory's size, mtime and ctime when `names` matched it. */
  stamp: string;
  /** Lower-cased name → the name on disk (the first one listed, if several fold together). */
  readonly names: Map<string, string>;
}

const folded = new WeakMap<Backend, Map<Ino, FoldedDir>>();

function stampOf(a: WccAttr): string {
  return `${a.size}:${a.mtime.sec}.${a.mtime.nsec}:${a.ctime.sec}.${a.ctime.nsec}`;
}

function dirsOf(backend: Backend): Map<Ino, FoldedDir> {
  let dirs = folded.get(backend);
  if (!dirs) {
    dirs = new Map();
    folded.set(backend, dirs);
  }
  return dirs;
}

function keep(dirs: Map<Ino, FoldedDir>, dir: Ino, entry: FoldedDir): void {
  dirs.delete(dir);
  dirs.set(dir, entry);
  if (dirs.size > MAX_DIRS) dirs.delete(dirs.keys().next().value as Ino);
}

/** The entry of `dir` whose name equals `name` ignoring case, with its real name; else undefined. */
export async function lookupIgnoringCase(
  backend: Backend,
  dir: Ino,
  name: string,
  cred: Cred,
): Promise<{ attrs: Attrs; name: string } | undefined> {
  const real = await foldedName(backend, dir, name.toLowerCase(), cred);
  if (real === undefined || real === name) return undefined;
  try {
    return { attrs: await backend.lookup(dir, real, cred), name: real };
  } catch (err) {
    if (err instanceof BackendError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Records a name this gateway just created in `dir` (its post-op change in `wcc`), so kept
 * folded names stay usable without listing the directory again.
 */
export function noteCreated(
  backend: Backend,
  dir: Ino,
  name: string,
  wcc: { readonly before?: WccAttr; readonly after?: WccAttr },
): void {
  const dirs = folded.get(backend);
  const entry = dirs?.get(dir);
  if (!dirs || !entry) return;
  if (!wcc.before || !wcc.after || stampOf(wcc.before) !== entry.stamp) {
    dirs.delete(dir);
    return;
  }
  const lower = name.toLowerCase();
  if (!entry.names.has(lower)) entry.names.set(lower, name);
  entry.stamp = stampOf(wcc.after);
}

async function foldedName(
  backend: Backend,
  dir: Ino,
  lower: string,
  cred: Cred,
): Promise<string | undefined> {
  let attrs: Attrs;
  try {
    attrs = await backend.getattr(dir);
  } catch (err) {
    if (err instanceof BackendError && err.code === 'ENOENT') return undefined;
    throw err;
  }
  const dirs = dirsOf(backend);
  const stamp = stampOf(attrs);
  const kept = dirs.get(dir);
  if (kept?.stamp === stamp) return kept.names.get(lower);
  const names = await listFolded(backend, dir, cred);
  if (names === undefined) {
    dirs.delete(dir);
    return undefined;
  }
  keep(dirs, dir, { stamp, names });
  return names.get(lower);
}

/** All of `dir`'s names folded, or undefined when unreadable or larger than MAX_SCAN entries. */
async function listFolded(backend: Backend, dir: Ino, cred: Cred): Promise<Map<string, string> | undefined> {
  const names = new Map<string, string>();
  let cookie = 0n;
  for (let seen = 0; seen < MAX_SCAN; ) {
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
    seen += page.entries.length;
    if (page.eof || page.entries.length === 0) return names;
    cookie = page.entries.at(-1)!.cookie;
  }
  return undefined;
}
