/**
 * Reads smbtorture's plain output (`--fullname`): one "test: NAME" line per subtest, then
 * "success: NAME", "failure: NAME [", "error: NAME [", "skip: NAME [" — the bracketed reason
 * may run over several lines up to a lone "]". Names can contain spaces
 * ("smb2.delete-on-close-perms.CREATE Existing").
 */

export type Outcome = 'pass' | 'fail' | 'skip' | 'missing';

export interface SubtestResult {
  readonly outcome: Exclude<Outcome, 'missing'>;
  /** First line of smbtorture's reason for a failure or skip; '' on success. */
  readonly reason: string;
}

const RESULT_LINE = /^(success|failure|error|skip|xfail|uxsuccess): (.+?)(?: \[(.*))?$/;

const OUTCOME_OF: Record<string, Exclude<Outcome, 'missing'>> = {
  success: 'pass',
  uxsuccess: 'pass',
  failure: 'fail',
  error: 'fail',
  xfail: 'fail',
  skip: 'skip',
};

export function parseSmbtortureOutput(text: string): Map<string, SubtestResult> {
  const results = new Map<string, SubtestResult>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = RESULT_LINE.exec(lines[i]);
    if (!m) continue;
    const [, kind, name, inlineReason] = m;
    let reason = (inlineReason ?? '').replace(/\]$/, '').trim();
    // A multi-line reason: the first non-empty line after "[" says most.
    for (let j = i + 1; !reason && inlineReason !== undefined && j < lines.length && lines[j] !== ']'; j++)
      reason = lines[j].trim();
    results.set(name.trim(), { outcome: OUTCOME_OF[kind], reason });
  }
  return results;
}
