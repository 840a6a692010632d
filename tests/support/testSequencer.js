// The order jest starts test files in: the end-to-end files first, then the unit files, each group in jest's
// own order (the slowest of the last run first; files without a recorded time by size). The workers then
// finish on short unit files instead of one of them running a minute-long end-to-end file alone at the end,
// which jest's order allows when its timings are missing (a fresh checkout orders by file size, and a few
// small e2e files are slow) or stale (a file last run with -t records the time of one test).
const Sequencer = require("@jest/test-sequencer").default;

const endToEnd = (test) => test.context.config.displayName?.name === "e2e";

class EndToEndFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter(endToEnd), ...sorted.filter((test) => !endToEnd(test))];
  }
}

module.exports = EndToEndFirst;
