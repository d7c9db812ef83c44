import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured figure: what, how much, in which unit, and the target it is held against. */
export interface Row {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

export function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Prints rows as a table and appends them to bench/results/<file>.csv tagged with the git sha. */
export function report(file: string, rows: Row[]): void {
  const sha = gitSha();
  const when = new Date().toISOString();
  console.table(
    rows.map((r) => ({
      metric: r.metric,
      value: Number(r.value.toPrecision(4)),
      unit: r.unit,
      target: r.target ?? '',
      ok: r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
    })),
  );
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file}.csv`);
  if (!existsSync(path)) writeFileSync(path, 'when,sha,bench,metric,value,unit,target,ok\n');
  for (const r of rows) {
    appendFileSync(
      path,
      `${when},${sha},${r.bench},${r.metric},${r.value},${r.unit},${r.target ?? ''},${r.ok ?? ''}\n`,
    );
  }
}

/** Throws when a correctness check made before timing fails: a fast wrong answer is no result. */
export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`bench correctness check failed: ${what}`);
}
