// Prints every skipped test loudly at the end of a run, counted, with the reason in its title,
// so a missing peer can never pass silently. In CI (CI=true) peers.ts turns a skip into a failure.
class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') skipped.push(t.fullName);
      }
    }
    if (skipped.length === 0) return;
    const bar = '!'.repeat(78);
    process.stderr.write(`\n${bar}\n${skipped.length} TEST(S) SKIPPED — not run, not passed:\n`);
    for (const name of skipped) process.stderr.write(`  - ${name}\n`);
    process.stderr.write(`${bar}\n`);
  }
}
module.exports = SkipReporter;
