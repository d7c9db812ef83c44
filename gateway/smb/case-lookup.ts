/**
 * Case-insensitive name lookup on a miss (MS-FSCC §2.1.5.1: Windows names compare without
 * case; clients open `FOO.txt` expecting `foo.txt`). The exact name is always tried first by
 * the caller; only when it is absent is the directory listed and the first entry equal to it
 * ignoring case (Unicode simple lower-casing) returned. Listing stops after MAX_SCAN entries,
 * so a miss in a huge directory costs a bounded amount and then stays a miss. Samba does the
 * same scan for case-sensitive file systems.
 */
import type { Attrs, Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';
import { BackendError } from '../backend/errors';

const PAGE = 512;
const MAX_SCAN = 16384;

/** The entry of `dir` whose name equals `name` ignoring case, with its real name; else undefined. */
export async function lookupIgnoringCase(
  backend: Backend,
  dir: Ino,
  name: string,
  cred: Cred,
): Promise<{ attrs: Attrs; name: string } | undefined> {
  const want = name.toLowerCase();
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
      if (e.name === '.' || e.name === '..' || e.name.toLowerCase() !== want) continue;
      try {
        return { attrs: await backend.lookup(dir, e.name, cred), name: e.name };
      } catch (err) {
        if (err instanceof BackendError && err.code === 'ENOENT') continue;
        throw err;
      }
    }
    seen += page.entries.length;
    if (page.eof || page.entries.length === 0) return undefined;
    cookie = page.entries.at(-1)!.cookie;
  }
  return undefined;
}
