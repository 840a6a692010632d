// Ends a jest run with one plain line, "N passed, N failed, N skipped", which CI systems read as the result.
// It is written on the next turn of the event loop, after jest's own summary.
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
    setImmediate(() => process.stderr.write(`\n${line}\n`));
  }
}

module.exports = PlainSummaryReporter;
