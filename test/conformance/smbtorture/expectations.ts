/**
 * What the gate compares a run with: Samba's result per subtest on this machine (the anchor,
 * from ../shared/SMB.md Appendix A) and our own list of subtests known not to pass yet, each
 * with why. A subtest not on our list must pass; one on it that passes now is reported so the
 * list gets shortened.
 */
import { readFileSync } from 'node:fs';
import type { Outcome, SubtestResult } from './outcomes';

export type SambaResult = 'P' | 'F' | 'S';
/** `flaky`: either outcome is accepted (timing-dependent on a loaded 2-core machine). */
export type KnownOutcome = 'fail' | 'skip' | 'flaky';

export interface KnownFailure {
  readonly expect: KnownOutcome;
  readonly reason: string;
}

/** Lines of `name<TAB>value<TAB># comment`; '#' starts a comment line. */
function readTable(path: string): [string, string, string][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [name, value, comment = ''] = l.split('\t');
      return [name, value, comment.replace(/^#\s*/, '')];
    });
}

export function loadAnchor(path: string): Map<string, SambaResult> {
  return new Map(readTable(path).map(([name, v]) => [name, v as SambaResult]));
}

export function loadKnownFailures(path: string): Map<string, KnownFailure> {
  const known = new Map<string, KnownFailure>();
  for (const [name, expect, reason] of readTable(path)) {
    if (expect !== 'fail' && expect !== 'skip' && expect !== 'flaky')
      throw new Error(`${path}: ${name}: expected fail, skip or flaky, got '${expect}'`);
    known.set(name, { expect, reason });
  }
  return known;
}

export interface SuiteVerdict {
  readonly suite: string;
  /** Subtests Samba passes here. */
  readonly sambaPasses: number;
  readonly ourPasses: number;
  /** Samba passes it, we do not (known or not). */
  readonly behindSamba: string[];
  /** Not on the known list and not passing: what makes the gate red. */
  readonly regressions: string[];
  /** On the known list as fail/skip, passing now: shorten the list. */
  readonly newlyPassing: string[];
  readonly outcomes: Map<string, Outcome>;
}

/** Every subtest of the suite: the anchor's, plus any the run printed that the anchor lacks. */
function subtestsOf(
  suite: string,
  anchor: Map<string, SambaResult>,
  run: Map<string, SubtestResult>,
): string[] {
  const prefix = `smb2.${suite}.`;
  const names = new Set([...anchor.keys()].filter((n) => n.startsWith(prefix)));
  for (const n of run.keys()) if (n.startsWith(prefix)) names.add(n);
  return [...names].sort();
}

function accepted(outcome: Outcome, known: KnownFailure | undefined): boolean {
  if (outcome === 'pass' || known?.expect === 'flaky') return true;
  if (!known) return false;
  // A subtest the run never reached (a hang or crash earlier in the suite) counts as failed.
  return known.expect === (outcome === 'missing' ? 'fail' : outcome);
}

/** A suite of one test prints its result as `smb2.<suite>`; the anchor names it `smb2.<suite>.<suite>`. */
function normalized(suite: string, run: Map<string, SubtestResult>): Map<string, SubtestResult> {
  const single = run.get(`smb2.${suite}`);
  if (!single) return run;
  const out = new Map(run);
  out.delete(`smb2.${suite}`);
  out.set(`smb2.${suite}.${suite}`, single);
  return out;
}

export function judgeSuite(
  suite: string,
  printed: Map<string, SubtestResult>,
  anchor: Map<string, SambaResult>,
  known: Map<string, KnownFailure>,
): SuiteVerdict {
  const run = normalized(suite, printed);
  const outcomes = new Map<string, Outcome>();
  const v = { behindSamba: [] as string[], regressions: [] as string[], newlyPassing: [] as string[] };
  let sambaPasses = 0;
  let ourPasses = 0;
  for (const name of subtestsOf(suite, anchor, run)) {
    const outcome: Outcome = run.get(name)?.outcome ?? 'missing';
    outcomes.set(name, outcome);
    const samba = anchor.get(name);
    const k = known.get(name);
    if (samba === 'P') sambaPasses++;
    if (outcome === 'pass') ourPasses++;
    if (samba === 'P' && outcome !== 'pass') v.behindSamba.push(name);
    if (!accepted(outcome, k))
      v.regressions.push(`${name}: ${outcome}${run.get(name)?.reason ? ` (${run.get(name)?.reason})` : ''}`);
    if (outcome === 'pass' && k && k.expect !== 'flaky') v.newlyPassing.push(name);
  }
  return { suite, sambaPasses, ourPasses, outcomes, ...v };
}
