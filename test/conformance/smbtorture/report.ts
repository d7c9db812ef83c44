/** The gate's printed table, and the rewrite of the known-failures list (SMBTORTURE_UPDATE=1). */
import { writeFileSync } from 'node:fs';
import type { KnownFailure, SambaResult, SuiteVerdict } from './expectations';
import type { SuiteRun } from './run-suite';

export function formatVerdicts(verdicts: readonly SuiteVerdict[], runs: Map<string, SuiteRun>): string {
  const rows = verdicts.map((v) => {
    const run = runs.get(v.suite);
    const time = `${run?.seconds.toFixed(1)} s${run?.killed ? ' (killed)' : ''}`;
    return `| smb2.${v.suite} | ${v.sambaPasses} | ${v.ourPasses} | ${v.behindSamba.length} | ${v.regressions.length} | ${time} |`;
  });
  const total = (f: (v: SuiteVerdict) => number) => verdicts.reduce((t, v) => t + f(v), 0);
  const lines = [
    'smbtorture gate: subtests passing on Samba 4.17 (anchor) and on us',
    '| suite | Samba pass | our pass | Samba-passing we fail | new failures | time |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| total | ${total((v) => v.sambaPasses)} | ${total((v) => v.ourPasses)} | ${total((v) => v.behindSamba.length)} | ${total((v) => v.regressions.length)} | |`,
  ];
  const newly = verdicts.flatMap((v) => v.newlyPassing);
  if (newly.length)
    lines.push(
      `NOTICE: ${newly.length} listed known failures pass now; remove them from the list:`,
      ...newly.map((n) => `  ${n}`),
    );
  return lines.join('\n');
}

/** Keeps the reasons already written; new entries say what smbtorture said and what Samba does. */
export function writeKnownFailures(
  path: string,
  verdicts: readonly SuiteVerdict[],
  runs: Map<string, SuiteRun>,
  anchor: Map<string, SambaResult>,
  known: Map<string, KnownFailure>,
): void {
  const ranSuites = new Set(verdicts.map((v) => `smb2.${v.suite}.`));
  const kept = [...known].filter(
    ([n]) => ![...ranSuites].some((p) => n.startsWith(p)) || known.get(n)?.expect === 'flaky',
  );
  const entries = new Map<string, string>(kept.map(([n, k]) => [n, `${n}\t${k.expect}\t# ${k.reason}`]));
  for (const v of verdicts) {
    for (const [name, outcome] of v.outcomes) {
      if (outcome === 'pass' || entries.has(name)) continue;
      const expect = outcome === 'skip' ? 'skip' : 'fail';
      const said =
        runs.get(v.suite)?.results.get(name)?.reason ||
        (outcome === 'missing' ? 'never ran (hang or crash earlier in the suite)' : '');
      // A reason is kept only while the outcome is the same (a skip that now fails needs the new why).
      const before = known.get(name);
      const reason =
        before && before.expect === expect
          ? before.reason
          : `${anchor.get(name) === 'P' ? 'Samba passes' : `Samba ${anchor.get(name) ?? '?'} too`}: ${said}`;
      entries.set(name, `${name}\t${expect}\t# ${reason}`);
    }
  }
  const header = [
    '# smbtorture subtests that do not pass against our SMB server yet: name<TAB>fail|skip|flaky<TAB># why.',
    '# The gate (test/conformance/smbtorture.test.ts) fails on any subtest not listed here that does not',
    '# pass. Regenerate after fixing: SMBTORTURE_UPDATE=1 npx jest test/conformance (keeps reasons).',
  ];
  writeFileSync(
    path,
    `${[...header, ...[...entries.keys()].sort().map((n) => entries.get(n))].join('\n')}\n`,
  );
}
