// Ends the run with one plain line, "N passed, N failed, N skipped", that CI and people can
// read without knowing jest's format. Skipped tests are counted as skipped, never as passes.
'use strict';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    const suffix = failedSuites > 0 ? ` (${failedSuites} test file(s) failed to run)` : '';
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped${suffix}\n`);
  }
}

module.exports = SummaryReporter;
