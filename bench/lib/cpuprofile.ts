/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by function: self time and total time
 * (self + callees, each sample counted once per function on its stack), with the place of each
 * function mapped back through dist's source maps to the TypeScript file and line.
 *
 * Run on its own: node dist/bench/lib/cpuprofile.js FILE.cpuprofile [TOP=15]
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  /** `gateway/x.ts:line` for ours, `node:net:line` for Node's, `(native)`, or '' for V8's pseudo-frames. */
  where: string;
  selfMs: number;
  totalMs: number;
  /** Shares of the busy time (all samples but `(idle)`). */
  selfPct: number;
  totalPct: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  spots: HotSpot[];
}

const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** One generated line's segments: [generated column, source index, source line, source column]. */
type Segment = [number, number, number, number];
interface SourceMap {
  sources: string[];
  lines: Segment[][];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    value += (d & 31) * 2 ** shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    out.push(value % 2 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return out;
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const text of mappings.split(';')) {
    const segs: Segment[] = [];
    let col = 0;
    for (const piece of text.split(',')) {
      if (!piece) continue;
      const v = vlq(piece);
      col += v[0];
      if (v.length < 4) continue;
      src += v[1];
      srcLine += v[2];
      srcCol += v[3];
      segs.push([col, src, srcLine, srcCol]);
    }
    lines.push(segs);
  }
  return lines;
}

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(jsPath: string): SourceMap | undefined {
  if (!maps.has(jsPath)) {
    const mapPath = `${jsPath}.map`;
    let map: SourceMap | undefined;
    if (existsSync(mapPath)) {
      const raw = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[]; mappings: string };
      const base = dirname(mapPath);
      map = { sources: raw.sources.map((s) => resolve(base, s)), lines: decodeMappings(raw.mappings) };
    }
    maps.set(jsPath, map);
  }
  return maps.get(jsPath);
}

/** Maps a 0-based generated position to `file:line` (1-based) of the source, or of the .js. */
function place(frame: CallFrame, root: string): string {
  if (!frame.url) return '(native)';
  if (!frame.url.startsWith('file:')) return `${frame.url}:${frame.lineNumber + 1}`;
  const js = fileURLToPath(frame.url);
  const map = sourceMapOf(js);
  const segs = map?.lines[frame.lineNumber] ?? [];
  let best: Segment | undefined;
  for (const s of segs) if (s[0] <= frame.columnNumber) best = s;
  best ??= segs[0];
  if (!map || !best) return `${relative(root, js)}:${frame.lineNumber + 1}`;
  return `${relative(root, map.sources[best[1]])}:${best[2] + 1}`;
}

/** Self and total time per function, busiest first by self time. */
export function summarize(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const keyOf = new Map<number, string>();
  const spots = new Map<string, HotSpot>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    const where = PSEUDO.has(name) ? '' : place(f, root);
    const key = `${name} ${where}`;
    keyOf.set(n.id, key);
    if (!spots.has(key)) spots.set(key, { name, where, selfMs: 0, totalMs: 0, selfPct: 0, totalPct: 0 });
  }
  let idleUs = 0;
  let busyUs = 0;
  const { samples, timeDeltas } = profile;
  const lastAt = profile.startTime + timeDeltas.reduce((a, b) => a + b, 0);
  for (let i = 0; i < samples.length; i++) {
    // A sample stands for the time until the next one (the last: until the profile's end).
    const us = i + 1 < samples.length ? timeDeltas[i + 1] : Math.max(0, profile.endTime - lastAt);
    const id = samples[i];
    const own = spots.get(keyOf.get(id)!)!;
    own.selfMs += us / 1000;
    if (own.name === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf.get(at)!;
      if (seen.has(key)) continue;
      seen.add(key);
      spots.get(key)!.totalMs += us / 1000;
    }
  }
  const busyMs = busyUs / 1000;
  const list = [...spots.values()].filter((s) => s.name !== '(idle)' && s.name !== '(root)');
  for (const s of list) {
    s.selfPct = busyMs ? (100 * s.selfMs) / busyMs : 0;
    s.totalPct = busyMs ? (100 * s.totalMs) / busyMs : 0;
  }
  list.sort((a, b) => b.selfMs - a.selfMs);
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs, idleMs: idleUs / 1000, spots: list };
}

export function printSummary(s: ProfileSummary, top: number): void {
  console.log(
    `profile: ${s.wallMs.toFixed(0)} ms wall, ${s.busyMs.toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle`,
  );
  console.table(
    s.spots.slice(0, top).map((h) => ({
      function: h.name,
      where: h.where,
      'self ms': Number(h.selfMs.toFixed(1)),
      'self %': Number(h.selfPct.toFixed(1)),
      'total %': Number(h.totalPct.toFixed(1)),
    })),
  );
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/lib/cpuprofile.js FILE.cpuprofile [TOP]');
    process.exit(1);
  }
  const root = join(__dirname, '..', '..', '..');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  printSummary(summarize(profile, root), Number(process.argv[3] ?? 15));
}
