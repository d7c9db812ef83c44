import type { Ino } from './attrs';

/**
 * Ino → where to find it. The seam is keyed by inode number but POSIX calls need paths, so we
 * remember, per inode, the directory entries ("links") it was last seen under: (parent ino,
 * name). A path is rebuilt by walking parents up to the root, which makes a directory rename
 * one update: every descendant's path follows its parent's link. Entries are hints, not truth
 * — the locator checks each path's (dev, ino) before use and drops links that lie.
 *
 * Tombstones remember inodes we saw die, for a while, so a retransmitted call on a deleted
 * object answers ESTALE at once instead of scanning the export for it.
 */

export interface Link {
  readonly parent: Ino;
  readonly name: string;
}

interface Entry {
  /** Most recently confirmed first; more than one only for hard links. */
  links: Link[];
  /** Handle generation last seen (see genOf); a change means a new object reused the inode. */
  gen: number;
  dir: boolean;
  /** The handle first given out for this object, kept so it never changes while we run. */
  handle?: Buffer;
}

export interface TableOptions {
  readonly maxLinksPerIno?: number;
  readonly tombstoneTtlMs?: number;
  readonly maxTombstones?: number;
  readonly now?: () => number;
}

/** Deeper than any real tree; stops a walk if stale links ever form a cycle. */
const MAX_DEPTH = 4096;

export class InodeTable {
  private readonly entries = new Map<Ino, Entry>();
  private readonly tombstones = new Map<Ino, number>();
  private readonly maxLinks: number;
  private readonly ttl: number;
  private readonly maxTombstones: number;
  private readonly now: () => number;

  constructor(
    readonly rootIno: Ino,
    rootGen: number,
    opts: TableOptions = {},
  ) {
    this.maxLinks = opts.maxLinksPerIno ?? 4;
    this.ttl = opts.tombstoneTtlMs ?? 60_000;
    this.maxTombstones = opts.maxTombstones ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.entries.set(rootIno, { links: [], gen: rootGen, dir: true });
  }

  get size(): number {
    return this.entries.size;
  }

  has(ino: Ino): boolean {
    return this.entries.has(ino);
  }

  links(ino: Ino): readonly Link[] {
    return this.entries.get(ino)?.links ?? [];
  }

  gen(ino: Ino): number | undefined {
    return this.entries.get(ino)?.gen;
  }

  /**
   * Records that `ino` (generation `gen`) was just seen, under `link` if given. A changed
   * generation means the inode number was reused: the old links and handle are dropped.
   */
  note(ino: Ino, gen: number, dir: boolean, link?: Link): void {
    this.tombstones.delete(ino);
    let e = this.entries.get(ino);
    if (!e || e.gen !== gen || e.dir !== dir) {
      e = { links: [], gen, dir };
      this.entries.set(ino, e);
    }
    if (link && ino !== this.rootIno) {
      e.links = [link, ...e.links.filter((l) => !sameLink(l, link))];
      if (dir || e.links.length > this.maxLinks) e.links.length = dir ? 1 : this.maxLinks;
    }
  }

  dropLink(ino: Ino, link: Link): void {
    const e = this.entries.get(ino);
    if (e) e.links = e.links.filter((l) => !sameLink(l, link));
  }

  /** A rename: `from` becomes `to`. Descendants need nothing — their paths go through `ino`. */
  moveLink(ino: Ino, from: Link, to: Link): void {
    const e = this.entries.get(ino);
    if (!e) return;
    e.links = [to, ...e.links.filter((l) => !sameLink(l, from) && !sameLink(l, to))];
  }

  /** The object is gone: forget it and remember that for a while. */
  forget(ino: Ino): void {
    if (ino === this.rootIno) return;
    this.entries.delete(ino);
    this.tombstones.delete(ino);
    this.tombstones.set(ino, this.now() + this.ttl);
    if (this.tombstones.size > this.maxTombstones) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
  }

  isTombstoned(ino: Ino): boolean {
    const until = this.tombstones.get(ino);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.tombstones.delete(ino);
    return false;
  }

  handle(ino: Ino): Buffer | undefined {
    return this.entries.get(ino)?.handle;
  }

  setHandle(ino: Ino, h: Buffer): void {
    const e = this.entries.get(ino);
    if (e && !e.handle) e.handle = h;
  }

  /** Path of `link` relative to the root ('a/b/name'), or undefined if a parent is unknown. */
  relPathVia(link: Link): string | undefined {
    const parent = this.relPathOf(link.parent);
    if (parent === undefined) return undefined;
    return parent === '' ? link.name : `${parent}/${link.name}`;
  }

  /** Relative path through each inode's first link; '' for the root. */
  relPathOf(ino: Ino): string | undefined {
    const names: string[] = [];
    let cur = ino;
    for (let depth = 0; cur !== this.rootIno; depth++) {
      const link = this.entries.get(cur)?.links[0];
      if (!link || depth > MAX_DEPTH) return undefined;
      names.push(link.name);
      cur = link.parent;
    }
    return names.reverse().join('/');
  }

  /** Inodes of the directories between the root (excluded) and `ino` (excluded), root first. */
  ancestry(ino: Ino): Ino[] | undefined {
    const chain: Ino[] = [];
    let cur = this.entries.get(ino)?.links[0]?.parent;
    if (ino === this.rootIno) return chain;
    for (let depth = 0; cur !== undefined && cur !== this.rootIno; depth++) {
      if (depth > MAX_DEPTH) return undefined;
      chain.push(cur);
      cur = this.entries.get(cur)?.links[0]?.parent;
    }
    return cur === undefined ? undefined : chain.reverse();
  }
}

function sameLink(a: Link, b: Link): boolean {
  return a.parent === b.parent && a.name === b.name;
}
