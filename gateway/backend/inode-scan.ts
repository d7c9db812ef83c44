import type { BigIntStats } from 'node:fs';
import type { Ino } from './attrs';
import { isDirStat } from './attrs-of';
import { hintOf } from './handle-codec';

/**
 * Finding an inode nobody told us the path of (after a restart, on another head, or after a
 * rename made elsewhere). Node's readdir gives no d_ino, so every candidate costs an lstat:
 * the handle's ancestor hints keep that to the directories on one path, and a breadth-first
 * scan (the last resort) is bounded by a budget of lstat calls. Symlinks are never descended.
 */

export interface ScanIo {
  /** Entries of a directory, whether each is a directory (no stat); [] when it cannot be read. */
  list(path: string): Promise<Array<{ readonly name: string; readonly dir: boolean }>>;
  /** undefined when the entry vanished. */
  lstat(path: string): Promise<BigIntStats | undefined>;
  /** False for objects on another device (mount points inside the export are not crossed). */
  inside(st: BigIntStats): boolean;
}

/** One step of the path that led to a hit; the last one is the target itself. */
export interface ChainLink {
  readonly ino: Ino;
  readonly parent: Ino;
  readonly name: string;
  readonly st: BigIntStats;
}

export interface ScanHit {
  readonly st: BigIntStats;
  readonly path: string;
  readonly chain: readonly ChainLink[];
}

/** lstat calls left; shared by the hint walk and the scan that may follow it. */
export interface Budget {
  remaining: number;
}

interface Node {
  readonly ino: Ino;
  readonly path: string;
  readonly name: string;
  readonly st?: BigIntStats;
  readonly up?: Node;
}

export type Place = Pick<Node, 'ino' | 'path'>;

/** How many lstat calls run at once: enough to keep libuv's 4 threads busy. */
const PARALLEL = 16;

/**
 * Walks from `root` choosing at level i a subdirectory whose inode hashes to hints[i]
 * (backtracking over hash collisions), then looks for `target` in the last directory reached,
 * or scans below it when the handle carried fewer hints than the path is deep.
 */
export async function walkHints(
  io: ScanIo,
  root: Place,
  hints: readonly number[],
  truncated: boolean,
  target: Ino,
  budget: Budget,
): Promise<ScanHit | undefined> {
  const level = async (node: Node, i: number): Promise<ScanHit | undefined> => {
    if (i === hints.length) {
      return truncated ? scanBelow(io, node, target, budget) : findIn(io, node, target, budget);
    }
    const dirs = (await io.list(node.path)).filter((d) => d.dir).map((d) => d.name);
    for (const child of await statNames(io, node, dirs, budget)) {
      if (!isDirStat(child.st!) || hintOf(child.ino) !== hints[i]) continue;
      const hit = await level(child, i + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  return level({ ...root, name: '' }, 0);
}

/** Breadth-first search for `target` below `root`, within the budget. */
export function scanFrom(io: ScanIo, root: Place, target: Ino, budget: Budget): Promise<ScanHit | undefined> {
  return scanBelow(io, { ...root, name: '' }, target, budget);
}

async function scanBelow(io: ScanIo, start: Node, target: Ino, budget: Budget): Promise<ScanHit | undefined> {
  const queue: Node[] = [start];
  for (let head = 0; head < queue.length && budget.remaining > 0; head++) {
    const dir = queue[head]!;
    const names = (await io.list(dir.path)).map((d) => d.name);
    for (let i = 0; i < names.length && budget.remaining > 0; i += PARALLEL) {
      for (const child of await statNames(io, dir, names.slice(i, i + PARALLEL), budget)) {
        if (child.ino === target) return hitOf(child);
        if (isDirStat(child.st!)) queue.push(child);
      }
    }
  }
  return undefined;
}

async function findIn(io: ScanIo, dir: Node, target: Ino, budget: Budget): Promise<ScanHit | undefined> {
  const names = (await io.list(dir.path)).map((d) => d.name);
  for (let i = 0; i < names.length && budget.remaining > 0; i += PARALLEL) {
    for (const child of await statNames(io, dir, names.slice(i, i + PARALLEL), budget)) {
      if (child.ino === target) return hitOf(child);
    }
  }
  return undefined;
}

/** lstat of `names` in `dir`, PARALLEL at a time, dropping vanished and foreign entries. */
async function statNames(io: ScanIo, dir: Node, names: readonly string[], budget: Budget): Promise<Node[]> {
  const out: Node[] = [];
  for (let i = 0; i < names.length && budget.remaining > 0; i += PARALLEL) {
    const chunk = names.slice(i, i + Math.min(PARALLEL, budget.remaining));
    budget.remaining -= chunk.length;
    const stats = await Promise.all(chunk.map((n) => io.lstat(`${dir.path}/${n}`)));
    stats.forEach((st, j) => {
      if (st && io.inside(st))
        out.push({ ino: st.ino, path: `${dir.path}/${chunk[j]}`, name: chunk[j]!, st, up: dir });
    });
  }
  return out;
}

function hitOf(node: Node): ScanHit {
  const chain: ChainLink[] = [];
  for (let n: Node | undefined = node; n?.up; n = n.up) {
    chain.push({ ino: n.ino, parent: n.up.ino, name: n.name, st: n.st! });
  }
  return { st: node.st!, path: node.path, chain: chain.reverse() };
}
