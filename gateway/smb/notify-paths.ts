/**
 * Where a directory sits, for WATCH_TREE watches (MS-SMB2 §2.2.35 SMB2_WATCH_TREE): a change
 * reported for directory `dir` concerns a tree watch on an ancestor, named by the path below
 * it. When no SMB open of `dir` tells us its path (a subdirectory nobody has open, changed
 * through NFS or another tree), the path is found on the backend: '..' to the parent, then
 * the parent's entry with `dir`'s file id — cached, and forgotten whenever a directory name is
 * removed or renamed, since that is all that can move a directory.
 */
import { FileType, type Ino } from '../backend/attrs';
import type { Backend, Cred } from '../backend/backend';

/** Deepest tree walked up; deeper changes are not reported to tree watches. */
const MAX_DEPTH = 64;
/** Entries per readdir page while looking for a directory's name in its parent. */
const PAGE = 256;

export interface Ancestry {
  /** `dir`, its parent, …, the share root. */
  readonly inos: readonly Ino[];
  /** names[i] is the name of inos[i] in inos[i + 1]. */
  readonly names: readonly string[];
}

export class DirPaths {
  private readonly up = new Map<Ino, { parent: Ino; name: string }>();

  /** A directory name went away or moved: cached positions may be wrong now. */
  forget(): void {
    this.up.clear();
  }

  async ancestry(dir: Ino, backend: Backend, cred: Cred): Promise<Ancestry | undefined> {
    const inos: Ino[] = [dir];
    const names: string[] = [];
    let cur = dir;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const step = this.up.get(cur) ?? (await this.parentOf(cur, backend, cred));
      if (step === null) return { inos, names };
      if (step === undefined) return undefined;
      this.up.set(cur, step);
      names.push(step.name);
      inos.push(step.parent);
      cur = step.parent;
    }
    return undefined;
  }

  /** `dir`'s parent and its name there; null at the root ('..' of the root is the root). */
  private async parentOf(
    dir: Ino,
    backend: Backend,
    cred: Cred,
  ): Promise<{ parent: Ino; name: string } | null | undefined> {
    const parent = (await backend.lookup(dir, '..', cred)).fileid;
    if (parent === dir) return null;
    for (let cookie = 0n; ; ) {
      const page = await backend.readdir(parent, cookie, PAGE, false, cred);
      for (const e of page.entries)
        if (e.fileid === dir && e.name !== '.' && e.name !== '..') return { parent, name: e.name };
      const last = page.entries.at(-1);
      if (page.eof || !last) return undefined;
      cookie = last.cookie;
    }
  }
}

/** The path of ancestry's directory below `root` ('\'-joined), or undefined if not below it. */
export function pathBelow(a: Ancestry, root: Ino): string | undefined {
  const j = a.inos.indexOf(root);
  if (j < 1) return undefined;
  return a.names.slice(0, j).reverse().join('\\');
}

/** Most directories below one tree watch that the holder keeps an interest in. */
export const TREE_WATCH_DIRS = 1024;

/** Directories below `root`, breadth first, at most `max` (symlinks are not followed). */
export async function subdirectories(backend: Backend, root: Ino, cred: Cred, max: number): Promise<Ino[]> {
  const out: Ino[] = [];
  const queue: Ino[] = [root];
  while (queue.length > 0 && out.length < max) {
    const dir = queue.shift()!;
    for (let cookie = 0n; ; ) {
      const page = await backend.readdir(dir, cookie, PAGE, true, cred);
      for (const e of page.entries) {
        if (e.name === '.' || e.name === '..' || e.attrs?.type !== FileType.DIR) continue;
        if (out.length >= max) break;
        out.push(e.fileid);
        queue.push(e.fileid);
      }
      const last = page.entries.at(-1);
      if (page.eof || !last || out.length >= max) break;
      cookie = last.cookie;
    }
  }
  return out;
}
