/**
 * The SMB conformance gate: smbtorture (Debian's samba-testsuite 4.17) against our SMB server,
 * suite by suite, each on a fresh head and export, logged on as root like the Samba anchor.
 * Every subtest must pass unless fixtures/smbtorture/known-failures.txt lists it (with why);
 * a listed subtest that passes now is printed so the list gets shorter. The table printed at
 * the end sets our passes beside Samba's on this machine (fixtures/smbtorture/samba-4.17-anchor.txt).
 *
 *   SMBTORTURE_SUITES=notify,lease npx jest test/conformance      # some suites only
 *   SMBTORTURE_UPDATE=1 npx jest test/conformance                 # rewrite the known list from this run
 */
import { join } from 'node:path';
import { startTestHead } from '../helpers/e2e-head';
import { describePeer, hasCommand } from '../helpers/peers';
import { judgeSuite, loadAnchor, loadKnownFailures, type SuiteVerdict } from './smbtorture/expectations';
import { formatVerdicts, writeKnownFailures } from './smbtorture/report';
import { runSuite, type SuiteRun } from './smbtorture/run-suite';
import { GATE_SUITES } from './smbtorture/suites';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'smbtorture');
const ANCHOR = join(FIXTURES, 'samba-4.17-anchor.txt');
const KNOWN = join(FIXTURES, 'known-failures.txt');
const TARGET = { share: 'share', user: 'root', password: 'Passw0rd!' };
/** Suites run side by side: most of their time is waiting on break and notify timeouts. */
const CONCURRENCY = 4;

const only = process.env.SMBTORTURE_SUITES?.split(',').map((s) => s.trim());
const suites = GATE_SUITES.filter((s) => !only || only.includes(s.suite));
const budgetMs =
  (suites.reduce((t, s) => t + s.limitSeconds + 20, 0) / Math.min(CONCURRENCY, suites.length) + 120) * 1000;

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function runOnFreshHead(suite: string, limitSeconds: number): Promise<SuiteRun> {
  const head = await startTestHead({
    smbPort: 0,
    smbUsers: [{ user: TARGET.user, password: TARGET.password, uid: 0, gid: 0 }],
    shares: [TARGET.share],
    rootSquash: false,
    upcall: { 'features.cache-invalidation': true },
  });
  try {
    return await runSuite(suite, { ...TARGET, port: head.head.smb!.port }, limitSeconds);
  } finally {
    await head.close();
  }
}

describePeer(
  'smbtorture conformance gate (anchor: Samba 4.17 on this machine)',
  'smbtorture',
  hasCommand('smbtorture'),
  () => {
    const anchor = loadAnchor(ANCHOR);
    const known = loadKnownFailures(KNOWN);
    const verdicts = new Map<string, SuiteVerdict>();
    const runs = new Map<string, SuiteRun>();

    beforeAll(async () => {
      await eachLimited(suites, CONCURRENCY, async ({ suite, limitSeconds }) => {
        const run = await runOnFreshHead(suite, limitSeconds);
        runs.set(suite, run);
        verdicts.set(suite, judgeSuite(suite, run.results, anchor, known));
      });
      const ordered = suites.map((s) => verdicts.get(s.suite)!);
      console.log(formatVerdicts(ordered, runs));
      if (process.env.SMBTORTURE_UPDATE === '1') writeKnownFailures(KNOWN, ordered, runs, anchor, known);
    }, budgetMs);

    test.each(suites.map((s) => s.suite))(
      'smb2.%s: every subtest passes or is a listed known failure',
      (suite) => {
        const v = verdicts.get(suite);
        const run = runs.get(suite);
        expect(run).toBeDefined();
        if (v?.regressions.length) {
          // The whole smbtorture output says why; jest shows it under the failed test.
          console.error(
            `smb2.${suite} output (${run?.seconds.toFixed(1)} s${run?.killed ? ', killed at its limit' : ''}):\n${run?.output}`,
          );
        }
        expect(v?.regressions).toEqual([]);
      },
    );
  },
);
